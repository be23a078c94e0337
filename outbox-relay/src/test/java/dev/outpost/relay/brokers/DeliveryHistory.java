package dev.outpost.relay.brokers;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The checker of RELIABILITY.md: what was committed (written through the real outbox writer) and
 * what the broker delivered, classified into lost, unexpected, duplicated and per-key order
 * violations of first deliveries. Payloads are {@code key:sequence}, sequence counting per key in
 * commit order.
 */
public final class DeliveryHistory {

  /** A committed message. */
  public record Committed(UUID messageId, String key, int sequence) {}

  /** The classification of a run. */
  public record Report(
      int committed, int delivered, int lost, int unexpected, int duplicated, int orderViolations) {

    @Override
    public String toString() {
      return "committed="
          + committed
          + " delivered="
          + delivered
          + " lost="
          + lost
          + " unexpected="
          + unexpected
          + " duplicated="
          + duplicated
          + " orderViolations="
          + orderViolations;
    }
  }

  private final Map<UUID, Committed> committed = new LinkedHashMap<>();

  /**
   * Commits {@code count} messages to {@code topic} over {@code keys} keys, {@code perTransaction}
   * per transaction.
   */
  public void commit(DataSource dataSource, String topic, int count, int keys, int perTransaction) {
    Outbox outbox = Outbox.builder().build();
    Map<String, Integer> sequences = new HashMap<>();
    List<OutboxMessage> chunk = new ArrayList<>();
    List<Committed> pending = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      String key = "key-" + (i % keys);
      int sequence = sequences.merge(key, 1, Integer::sum) - 1;
      UUID id = UUID.randomUUID();
      chunk.add(
          OutboxMessage.to(topic).messageId(id).key(key).payload(key + ":" + sequence).build());
      pending.add(new Committed(id, key, sequence));
      if (chunk.size() == perTransaction || i == count - 1) {
        try (Connection c = dataSource.getConnection()) {
          c.setAutoCommit(false);
          outbox.sendAll(c, chunk);
          c.commit();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
        pending.forEach(m -> committed.put(m.messageId(), m));
        chunk.clear();
        pending.clear();
      }
    }
  }

  /** The ids of the committed messages. */
  public Set<UUID> committedIds() {
    return Set.copyOf(committed.keySet());
  }

  /** Classifies {@code deliveries} (message id and payload, in delivery order per key). */
  public Report check(List<Map.Entry<UUID, String>> deliveries) {
    Set<UUID> seen = new HashSet<>();
    Map<String, Integer> lastFirstDelivery = new HashMap<>();
    int unexpected = 0;
    int duplicated = 0;
    int violations = 0;
    for (Map.Entry<UUID, String> delivery : deliveries) {
      Committed message = committed.get(delivery.getKey());
      if (message == null) {
        unexpected++;
        continue;
      }
      if (!seen.add(delivery.getKey())) {
        duplicated++;
        continue;
      }
      if (!delivery.getValue().equals(message.key() + ":" + message.sequence())) {
        unexpected++;
      }
      int previous = lastFirstDelivery.getOrDefault(message.key(), -1);
      if (message.sequence() != previous + 1) {
        violations++;
      }
      lastFirstDelivery.put(message.key(), Math.max(previous, message.sequence()));
    }
    int lost = 0;
    for (UUID id : committed.keySet()) {
      if (!seen.contains(id)) {
        lost++;
      }
    }
    return new Report(
        committed.size(), deliveries.size(), lost, unexpected, duplicated, violations);
  }
}
