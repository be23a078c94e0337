package dev.outpost.examples;

import dev.outpost.examples.Events.OrderCreated;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.UUID;

/**
 * Handles {@code order.created}: notes the new order for the warehouse (here: one row in {@code
 * order_notice}, standing in for an e-mail or a pick list). The transports run it through the dedup
 * store (consumer name {@value #NAME}), so each order is noted once however often the message
 * arrives.
 */
final class InventoryConsumer {

  /** The consumer name in the dedup store. */
  static final String NAME = "inventory";

  private final Stats stats;
  private final Clock clock;

  InventoryConsumer(Stats stats, Clock clock) {
    this.stats = stats;
    this.clock = clock;
  }

  /** The business work for one new order, in the caller's transaction {@code tx}. */
  void note(Connection tx, UUID messageId, byte[] payload) throws SQLException {
    OrderCreated created = Events.read(payload, OrderCreated.class);
    try (PreparedStatement insert =
        tx.prepareStatement(
            """
            INSERT INTO order_notice (order_id, message_id, noticed_at)
            SELECT id, ?, ? FROM orders WHERE id = ?""")) {
      insert.setObject(1, messageId);
      insert.setTimestamp(2, Timestamp.from(clock.instant()));
      insert.setObject(3, created.orderId());
      if (insert.executeUpdate() == 0) {
        stats.unknownOrders.increment(); // e.g. left in a broker queue by an earlier run
      }
    }
  }
}
