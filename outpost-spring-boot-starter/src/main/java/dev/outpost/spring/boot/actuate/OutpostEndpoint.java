package dev.outpost.spring.boot.actuate;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.PendingDelayed;
import dev.outpost.relay.DeadLetter;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.OutboxBacklog;
import dev.outpost.relay.PartitionBacklog;
import dev.outpost.relay.Relay;
import dev.outpost.spring.boot.OutpostLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;

/**
 * The {@code outpost} actuator endpoint.
 *
 * <ul>
 *   <li>{@code GET /actuator/outpost}: backlog per partition with the oldest message's age, dead
 *       letters count, delayed messages (count, next due) and which components run;
 *   <li>{@code GET /actuator/outpost/dead-letters?topic=&afterId=&limit=}: one page of dead letters
 *       (payloads left out), oldest first;
 *   <li>{@code POST /actuator/outpost/dead-letters} with {@code {"topic": "...", "messageIds":
 *       "id,id"}}: replays the matching dead letters into the outbox;
 *   <li>{@code DELETE /actuator/outpost/dead-letters?topic=&messageIds=&all=}: purges them for good
 *       (without a topic or ids, only with {@code all=true}).
 * </ul>
 *
 * <p>Everything goes through the library's public API ({@link OutboxBacklog}, {@link DeadLetters},
 * {@link DelayScheduler#pending()}).
 */
@Endpoint(id = "outpost")
public class OutpostEndpoint {

  /** Page size of the dead-letter list when none is asked for. */
  public static final int DEFAULT_PAGE_SIZE = 100;

  private static final String DEAD_LETTERS = "dead-letters";

  private final OutboxBacklog backlog;
  private final DeadLetters deadLetters;
  private final DelayScheduler delayScheduler;
  private final Relay relay;
  private final OutpostLifecycle lifecycle;
  private final Clock clock;

  /** Reads through these; {@code relay} may be null when this node runs none. */
  public OutpostEndpoint(
      OutboxBacklog backlog,
      DeadLetters deadLetters,
      DelayScheduler delayScheduler,
      Relay relay,
      OutpostLifecycle lifecycle,
      Clock clock) {
    this.backlog = backlog;
    this.deadLetters = deadLetters;
    this.delayScheduler = delayScheduler;
    this.relay = relay;
    this.lifecycle = lifecycle;
    this.clock = clock;
  }

  /** The overview. */
  @ReadOperation
  public Map<String, Object> overview() {
    Instant now = clock.instant();
    List<PartitionBacklog> partitions = backlog.byPartition();
    List<Map<String, Object>> rows = new ArrayList<>();
    long total = 0;
    Instant oldest = null;
    for (PartitionBacklog p : partitions) {
      total += p.messages();
      if (oldest == null || p.oldestCreatedAt().isBefore(oldest)) {
        oldest = p.oldestCreatedAt();
      }
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("partition", p.partition());
      row.put("messages", p.messages());
      row.put("oldestCreatedAt", p.oldestCreatedAt().toString());
      row.put("oldestAge", age(p.oldestCreatedAt(), now));
      rows.add(row);
    }
    Map<String, Object> outbox = new LinkedHashMap<>();
    outbox.put("backlog", total);
    outbox.put("oldestAge", oldest == null ? null : age(oldest, now));
    outbox.put("partitions", rows);

    PendingDelayed pending = delayScheduler.pending();
    Map<String, Object> delayed = new LinkedHashMap<>();
    delayed.put("pending", pending.count());
    delayed.put("nextDueAt", pending.nextDueAt() == null ? null : pending.nextDueAt().toString());

    Map<String, Object> result = new LinkedHashMap<>();
    result.put("outbox", outbox);
    result.put("deadLetters", Map.of("count", deadLetters.count(DeadLetterFilter.all())));
    result.put("delayed", delayed);
    if (relay != null) {
      result.put(
          "relay", OutpostHealthIndicator.relay(relay.health(), false, Duration.ZERO).details());
    }
    result.put("components", lifecycle.components());
    return result;
  }

  /** One page of dead letters ({@code part} = {@code dead-letters}). */
  @ReadOperation
  public Map<String, Object> deadLetters(
      @Selector String part,
      @Nullable String topic,
      @Nullable Long afterId,
      @Nullable Integer limit) {
    requireDeadLetters(part);
    DeadLetterFilter filter = filter(topic);
    List<Map<String, Object>> page = new ArrayList<>();
    for (DeadLetter d :
        deadLetters.list(
            filter, afterId == null ? 0 : afterId, limit == null ? DEFAULT_PAGE_SIZE : limit)) {
      Map<String, Object> row = new LinkedHashMap<>();
      row.put("id", d.id());
      row.put("messageId", d.messageId().toString());
      row.put("topic", d.topic());
      row.put("key", d.key());
      row.put("partition", d.partitionNo());
      row.put("createdAt", d.createdAt().toString());
      row.put("failedAt", d.failedAt().toString());
      row.put("attempts", d.attempts());
      row.put("lastError", d.lastError());
      row.put("payloadBytes", d.payload().length);
      page.add(row);
    }
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("count", deadLetters.count(filter));
    result.put("deadLetters", page);
    return result;
  }

  /** Replays dead letters into the outbox, by topic or message ids (or all without either). */
  @WriteOperation
  public Map<String, Object> replay(
      @Selector String part, @Nullable String topic, @Nullable String messageIds) {
    requireDeadLetters(part);
    int replayed =
        messageIds == null || messageIds.isBlank()
            ? deadLetters.replay(filter(topic))
            : deadLetters.replay(ids(messageIds));
    return Map.of("replayed", replayed);
  }

  /** Purges dead letters for good, by topic or message ids, or all with {@code all=true}. */
  @DeleteOperation
  public Map<String, Object> purge(
      @Selector String part,
      @Nullable String topic,
      @Nullable String messageIds,
      @Nullable Boolean all) {
    requireDeadLetters(part);
    int purged;
    if (messageIds != null && !messageIds.isBlank()) {
      purged = deadLetters.purge(ids(messageIds));
    } else if (topic != null && !topic.isBlank()) {
      purged = deadLetters.purge(filter(topic));
    } else if (Boolean.TRUE.equals(all)) {
      purged = deadLetters.purge(DeadLetterFilter.all());
    } else {
      throw new InvalidEndpointRequestException(
          "purging needs topic=..., messageIds=... or all=true (dead letters are gone for good)",
          "purging needs topic, messageIds or all=true");
    }
    return Map.of("purged", purged);
  }

  private static void requireDeadLetters(String part) {
    if (!DEAD_LETTERS.equals(part)) {
      throw new InvalidEndpointRequestException(
          "unknown part '" + part + "'; /actuator/outpost/" + DEAD_LETTERS + " is the one there is",
          "unknown part");
    }
  }

  private static DeadLetterFilter filter(String topic) {
    return topic == null || topic.isBlank()
        ? DeadLetterFilter.all()
        : DeadLetterFilter.all().topic(topic);
  }

  private static List<UUID> ids(String messageIds) {
    try {
      return Arrays.stream(messageIds.split(","))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .map(UUID::fromString)
          .toList();
    } catch (IllegalArgumentException e) {
      throw new InvalidEndpointRequestException(
          "messageIds must be comma-separated UUIDs, got '" + messageIds + "'",
          "messageIds must be comma-separated UUIDs");
    }
  }

  private static String age(Instant createdAt, Instant now) {
    Duration age = Duration.between(createdAt, now);
    return (age.isNegative() ? Duration.ZERO : age).toString();
  }
}
