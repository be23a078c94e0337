package dev.outpost.examples;

import dev.outpost.examples.Events.OrderTimeout;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
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

  private final AppDatabase db;
  private final Stats stats;
  private final Clock clock;

  TimeoutConsumer(AppDatabase db, Stats stats, Clock clock) {
    this.db = db;
    this.stats = stats;
    this.clock = clock;
  }

  /** The business work for one timeout, in the caller's transaction {@code tx}. */
  void releaseIfUnpaid(Connection tx, UUID messageId, byte[] payload) throws SQLException {
    OrderTimeout timeout = Events.read(payload, OrderTimeout.class);
    Instant now = clock.instant();
    Optional<OrderRepository.Release> release =
        db.orders().cancelIfUnpaid(tx, timeout.orderId(), now);
    if (release.isPresent()) {
      db.stock()
          .release(
              tx,
              release.get().item(),
              release.get().quantity(),
              timeout.orderId(),
              messageId,
              now);
    } else if (db.orders().find(tx, timeout.orderId()).isPresent()) {
      stats.timeoutsAfterPayment.increment(); // paid first: nothing to release
    } else {
      stats.unknownOrders.increment(); // e.g. left in a broker queue by an earlier run
      return;
    }
    stats.recordLateness(now.toEpochMilli() - timeout.payBy().toEpochMilli());
  }
}
