package dev.outpost.examples;

import dev.outpost.dedup.Dedup;
import dev.outpost.examples.Events.OrderCreated;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;

/**
 * Handles {@code order.created}: notes the new order for the warehouse (here: one row in {@code
 * order_notice}, standing in for an e-mail or a pick list). Through the dedup store, so each order
 * is noted once however often the message arrives.
 */
final class InventoryConsumer {

  /** The consumer name in the dedup store. */
  static final String NAME = "inventory";

  private final Dedup dedup;
  private final Stats stats;
  private final Clock clock;

  InventoryConsumer(Dedup dedup, Stats stats, Clock clock) {
    this.dedup = dedup;
    this.stats = stats;
    this.clock = clock;
  }

  /** Handles one delivery inside the caller's transaction {@code tx}. */
  void handle(Connection tx, UUID messageId, byte[] payload) throws SQLException {
    OrderCreated created = Events.read(payload, OrderCreated.class);
    boolean firstTime = dedup.processOnce(tx, NAME, messageId, () -> note(tx, created, messageId));
    (firstTime ? stats.notices : stats.duplicatesSkipped).increment();
  }

  private void note(Connection tx, OrderCreated created, UUID messageId) throws SQLException {
    try (PreparedStatement insert =
        tx.prepareStatement(
            "INSERT INTO order_notice (order_id, message_id, noticed_at) VALUES (?, ?, ?)")) {
      insert.setObject(1, created.orderId());
      insert.setObject(2, messageId);
      insert.setTimestamp(3, Timestamp.from(clock.instant()));
      insert.executeUpdate();
    }
  }
}
