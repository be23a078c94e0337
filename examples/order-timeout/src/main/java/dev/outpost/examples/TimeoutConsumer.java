package dev.outpost.examples;

import dev.outpost.examples.Events.OrderTimeout;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;

/**
 * Handles {@code order.timeout}: an order still unpaid when its time is up is cancelled and its
 * stock goes back to the shelf. The transports run it through the dedup store (consumer name
 * {@value #NAME}), so a redelivered timeout is skipped; and the status update is conditional, so a
 * payment that committed first wins.
 */
final class TimeoutConsumer {

  /** The consumer name in the dedup store. */
  static final String NAME = "order-timeout";

  private final Stats stats;
  private final Clock clock;

  TimeoutConsumer(Stats stats, Clock clock) {
    this.stats = stats;
    this.clock = clock;
  }

  /** The business work for one timeout, in the caller's transaction {@code tx}. */
  void releaseIfUnpaid(Connection tx, UUID messageId, byte[] payload) throws SQLException {
    OrderTimeout timeout = Events.read(payload, OrderTimeout.class);
    Instant now = clock.instant();
    try (PreparedStatement cancel =
        tx.prepareStatement(
            """
            UPDATE orders SET status = 'CANCELLED', cancelled_at = ?
            WHERE id = ? AND status = 'UNPAID'
            RETURNING item, quantity""")) {
      cancel.setTimestamp(1, Timestamp.from(now));
      cancel.setObject(2, timeout.orderId());
      try (ResultSet rs = cancel.executeQuery()) {
        if (rs.next()) {
          releaseStock(tx, rs.getString(1), rs.getInt(2), timeout.orderId(), messageId, now);
        } else if (OrderService.find(tx, timeout.orderId()).isPresent()) {
          stats.timeoutsAfterPayment.increment(); // paid first: nothing to release
        } else {
          stats.unknownOrders.increment(); // e.g. left in a broker queue by an earlier run
          return;
        }
      }
    }
    stats.recordLateness(now.toEpochMilli() - timeout.payBy().toEpochMilli());
  }

  private static void releaseStock(
      Connection tx, String item, int quantity, UUID orderId, UUID messageId, Instant now)
      throws SQLException {
    try (PreparedStatement release =
            tx.prepareStatement("UPDATE stock SET available = available + ? WHERE item = ?");
        PreparedStatement audit =
            tx.prepareStatement(
                """
                INSERT INTO stock_release (order_id, quantity, message_id, released_at)
                VALUES (?, ?, ?, ?)""")) {
      release.setInt(1, quantity);
      release.setString(2, item);
      release.executeUpdate();
      audit.setObject(1, orderId);
      audit.setInt(2, quantity);
      audit.setObject(3, messageId);
      audit.setTimestamp(4, Timestamp.from(now));
      audit.executeUpdate();
    }
  }
}
