package dev.outpost.outbox;

import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.Check;
import java.time.Clock;

/**
 * Configuration of an {@link Outbox} writer, produced by {@link Outbox#builder()}.
 *
 * @param schema schema of Outpost's tables
 * @param partitions logical partitions messages are spread over; must equal the relay's
 * @param maxPayloadBytes largest payload accepted
 * @param maxKeyLength longest key accepted, in characters
 * @param maxHeaders most headers per message
 * @param maxHeaderNameLength longest header name, in characters
 * @param maxHeaderValueLength longest header value, in characters
 * @param requireTransaction whether sending on an auto-commit connection is refused
 * @param captureTraceContext whether the caller's W3C trace context is stored in the headers
 * @param clock clock stamping {@code created_at}
 */
public record OutboxConfig(
    String schema,
    int partitions,
    int maxPayloadBytes,
    int maxKeyLength,
    int maxHeaders,
    int maxHeaderNameLength,
    int maxHeaderValueLength,
    boolean requireTransaction,
    boolean captureTraceContext,
    Clock clock) {

  /** Default logical partition count, shared by the writer, the relay and the delay scheduler. */
  public static final int DEFAULT_PARTITIONS = 16;

  /** Upper bound of the partition count. */
  public static final int MAX_PARTITIONS = 1024;

  /** Default largest payload: 1 MiB. */
  public static final int DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

  /** Upper bound of {@code maxPayloadBytes}: 64 MiB. */
  public static final int MAX_PAYLOAD_BYTES_LIMIT = 64 * 1024 * 1024;

  /** Default longest key. */
  public static final int DEFAULT_MAX_KEY_LENGTH = 1024;

  /** Default most headers per message. */
  public static final int DEFAULT_MAX_HEADERS = 64;

  /** Default longest header name. */
  public static final int DEFAULT_MAX_HEADER_NAME_LENGTH = 256;

  /** Default longest header value. */
  public static final int DEFAULT_MAX_HEADER_VALUE_LENGTH = 8192;

  /** Validates the values; see {@link Outbox.Builder} for the allowed ranges. */
  public OutboxConfig {
    Check.identifier("schema", schema);
    Check.range("partitions", partitions, 1, MAX_PARTITIONS);
    Check.range("maxPayloadBytes", maxPayloadBytes, 1, MAX_PAYLOAD_BYTES_LIMIT);
    Check.range("maxKeyLength", maxKeyLength, 1, 65_536);
    Check.range("maxHeaders", maxHeaders, 0, 10_000);
    Check.range("maxHeaderNameLength", maxHeaderNameLength, 1, 65_536);
    Check.range("maxHeaderValueLength", maxHeaderValueLength, 1, 1024 * 1024);
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null; use Clock.systemUTC()");
    }
  }

  /** The defaults: schema {@value OutpostTableNames#DEFAULT_SCHEMA}, 16 partitions, 1 MiB. */
  public static OutboxConfig defaults() {
    return Outbox.builder().config();
  }
}
