package dev.outpost.admin.internal;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** The rows the admin reads; plain records serialized as JSON by the CLI and the console. */
public final class Rows {

  private Rows() {}

  /** Pending outbox messages of one partition. */
  public record PartitionBacklog(int partition, long pending, long retrying, Instant oldest) {}

  /** A live or expired relay instance. */
  public record RelayInstance(String instanceId, Instant heartbeatAt, Instant expiresAt) {}

  /** A partition lease. */
  public record Lease(int partition, String owner, Instant expiresAt, long fencingToken) {}

  /** Dead letters of one topic with one (shortened) error. */
  public record DeadLetterGroup(String topic, String error, long count, Instant lastFailedAt) {}

  /** A dead letter without its payload. */
  public record DeadLetterRow(
      long id,
      long outboxId,
      UUID messageId,
      String topic,
      String key,
      int partition,
      Instant createdAt,
      Instant failedAt,
      int attempts,
      String lastError) {}

  /** A dead letter with its payload (as text) and headers. */
  public record DeadLetterDetail(DeadLetterRow row, String payload, Map<String, String> headers) {}

  /** A delayed message without its payload. */
  public record DelayedRow(
      long id,
      UUID messageId,
      String topic,
      String key,
      String cancelKey,
      Instant createdAt,
      Instant deliverAt) {}

  /** Delayed messages: how many and the earliest due time (null when none). */
  public record DelayedSummary(long count, Instant nextDue) {}

  /** Pending outbox messages of one key around a position. */
  public record KeyPending(long before, long after) {}

  /** One audit row. */
  public record AuditRow(
      long id,
      Instant performedAt,
      String operator,
      String origin,
      String action,
      String filter,
      long matched,
      long affected) {}
}
