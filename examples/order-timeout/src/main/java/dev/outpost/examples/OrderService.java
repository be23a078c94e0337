package dev.outpost.examples;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.examples.Events.OrderCreated;
import dev.outpost.examples.Events.OrderTimeout;
import dev.outpost.outbox.MessageIds;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Places and pays orders. Each is one database transaction holding the business rows and the
 * messages, so they commit (or roll back) together.
 */
final class OrderService {

  private final AppDatabase db;
  private final Outbox outbox;
  private final DelayScheduler scheduler;
  private final Duration orderTimeout;
  private final Stats stats;
  private final Clock clock;

  OrderService(
      AppDatabase db,
      Outbox outbox,
      DelayScheduler scheduler,
      Duration orderTimeout,
      Stats stats,
      Clock clock) {
    this.db = db;
    this.outbox = outbox;
    this.scheduler = scheduler;
    this.orderTimeout = orderTimeout;
    this.stats = stats;
    this.clock = clock;
  }

  /**
   * Locks {@code quantity} units of {@code item} and creates an unpaid order, an {@code
   * OrderCreated} message and the order's timeout, all in one transaction.
   *
   * @throws OrderException 400 for a bad quantity, 404 for an unknown item, 409 when out of stock
   */
  Order place(String item, int quantity) {
    if (item == null || item.isBlank()) {
      throw OrderException.badRequest("item is required, e.g. {\"item\":\"apple\",\"quantity\":1}");
    }
    if (quantity < 1 || quantity > 1000) {
      throw OrderException.badRequest("quantity " + quantity + " is out of range; allowed 1..1000");
    }
    Instant now = clock.instant();
    // Time-ordered ids: new orders land at the right edge of the primary key (InnoDB clusters the
    // table by it), not at random pages.
    Order order = Order.unpaid(MessageIds.next(), item, quantity, now, now.plus(orderTimeout));
    db.inTransaction(
        tx -> {
          insertOrder(tx, order);
          outbox.send(
              tx,
              OutboxMessage.to(Events.ORDER_CREATED)
                  .key(order.id().toString())
                  .payloadJson(new OrderCreated(order.id(), item, quantity, order.payBy()))
                  .build());
          scheduler.scheduleAt(
              tx,
              OutboxMessage.to(Events.ORDER_TIMEOUT)
                  .key(order.id().toString())
                  .payloadJson(new OrderTimeout(order.id(), order.payBy()))
                  .build(),
              order.payBy(),
              order.id().toString()); // the cancel key
          // Last, so the item's row lock (every order of the item waits for it) is held only
          // until the commit that follows.
          lockStock(tx, item, quantity);
          return null;
        });
    stats.placed.increment();
    return order;
  }

  /**
   * Marks an unpaid order paid and cancels its timeout, in one transaction. Paying a paid order
   * again is a no-op.
   *
   * @throws OrderException 404 for an unknown order, 409 when it was already cancelled
   */
  Order pay(UUID orderId) {
    Order order =
        db.inTransaction(
            tx -> {
              // Whoever flips UNPAID first wins: this update, or the timeout consumer's
              // UPDATE ... SET status = 'CANCELLED' WHERE status = 'UNPAID'. Both lock the row.
              if (db.orders().markPaid(tx, orderId, clock.instant())) {
                boolean cancelled = scheduler.cancel(tx, Events.ORDER_TIMEOUT, orderId.toString());
                // false: the timeout was already moved to the outbox. It will still be delivered
                // and its consumer will find the order PAID and leave it alone.
                (cancelled ? stats.timeoutsCancelled : stats.timeoutsAlreadyDue).increment();
              }
              return db.orders()
                  .find(tx, orderId)
                  .orElseThrow(() -> OrderException.notFound("no order " + orderId));
            });
    if (order.status() == Order.Status.CANCELLED) {
      stats.payTooLate.increment();
      throw OrderException.conflict(
          "order " + orderId + " was cancelled at " + order.cancelledAt() + ": not paid in time");
    }
    return order;
  }

  /** The order, or empty. */
  Optional<Order> find(UUID orderId) {
    return db.inTransaction(tx -> db.orders().find(tx, orderId));
  }

  private void lockStock(Connection tx, String item, int quantity) throws SQLException {
    if (!db.stock().take(tx, item, quantity)) {
      // insertOrder made sure the item exists
      throw OrderException.conflict(
          "only "
              + db.stock().available(tx, item)
              + " of '"
              + item
              + "' left, "
              + quantity
              + " asked for");
    }
  }

  private void insertOrder(Connection tx, Order order) throws SQLException {
    if (!db.orders().insert(tx, order)) {
      throw OrderException.notFound("no item '" + order.item() + "'; GET /stock lists the items");
    }
  }
}
