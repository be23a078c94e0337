package dev.outpost.examples;

import dev.outpost.examples.Events.OrderCreated;
import java.sql.Connection;
import java.sql.SQLException;
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

  private final AppDatabase db;
  private final Stats stats;
  private final Clock clock;

  InventoryConsumer(AppDatabase db, Stats stats, Clock clock) {
    this.db = db;
    this.stats = stats;
    this.clock = clock;
  }

  /** The business work for one new order, in the caller's transaction {@code tx}. */
  void note(Connection tx, UUID messageId, byte[] payload) throws SQLException {
    OrderCreated created = Events.read(payload, OrderCreated.class);
    if (!db.notices().insert(tx, created.orderId(), messageId, clock.instant())) {
      stats.unknownOrders.increment(); // e.g. left in a broker queue by an earlier run
    }
  }
}
