package dev.outpost.relay.brokers;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.Deliveries;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
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

  /**
   * Classifies {@code deliveries} (message id and payload, in delivery order) with the shared
   * checker; a delivery whose payload is not the committed {@code key:sequence} counts as
   * unexpected.
   */
  public Deliveries.Report check(List<Map.Entry<UUID, String>> deliveries) {
    List<Deliveries.Delivery> history = new ArrayList<>(deliveries.size());
    int wrongPayloads = 0;
    for (Map.Entry<UUID, String> delivery : deliveries) {
      Committed message = committed.get(delivery.getKey());
      if (message == null) {
        history.add(new Deliveries.Delivery(delivery.getKey(), null, -1));
        continue;
      }
      if (!delivery.getValue().equals(message.key() + ":" + message.sequence())) {
        wrongPayloads++;
      }
      history.add(new Deliveries.Delivery(message.messageId(), message.key(), message.sequence()));
    }
    return Deliveries.classify(committed.keySet(), history).withUnexpected(wrongPayloads);
  }
}
