package dev.outpost.spring.boot;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.ScheduledMessage;
import dev.outpost.outbox.OutboxMessage;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;

/**
 * The {@link DelayScheduler} for Spring: schedules, cancels and reschedules delayed messages in the
 * <b>current Spring-managed transaction</b>, so they commit or roll back with the business change
 * (an order and its timeout; a payment and the cancel of that timeout). The sweep that moves due
 * messages into the outbox runs with the application context (see the starter's README).
 *
 * <pre>{@code
 * @Transactional
 * public void pay(UUID orderId) {
 *   if (jdbc.update("UPDATE orders SET status = 'PAID' WHERE id = ? AND status = 'UNPAID'", orderId) == 1) {
 *     delays.cancel("order.timeout", orderId.toString());
 *   }
 * }
 * }</pre>
 *
 * <p>Thread-safe; the auto-configuration provides one bean.
 */
public final class SpringDelayScheduler {

  private static final String EFFECT =
      "the delayed message would commit on its own, apart from the business change";

  private final DelayScheduler scheduler;
  private final SpringTransactions transactions;

  /** Schedules with {@code scheduler} on the transactions of {@code dataSource}. */
  public SpringDelayScheduler(DelayScheduler scheduler, DataSource dataSource) {
    if (scheduler == null) {
      throw new IllegalArgumentException("scheduler must not be null");
    }
    this.scheduler = scheduler;
    this.transactions = new SpringTransactions(dataSource);
  }

  /**
   * Schedules {@code message} {@code delay} from now in the current transaction.
   *
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see DelayScheduler#schedule(java.sql.Connection, OutboxMessage, Duration)
   */
  public ScheduledMessage schedule(OutboxMessage message, Duration delay) {
    return transactions.inCurrentTransaction(
        "SpringDelayScheduler.schedule", EFFECT, c -> scheduler.schedule(c, message, delay));
  }

  /**
   * Schedules {@code message} {@code delay} from now with a cancel key, in the current transaction.
   *
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see DelayScheduler#schedule(java.sql.Connection, OutboxMessage, Duration, String)
   */
  public ScheduledMessage schedule(OutboxMessage message, Duration delay, String cancelKey) {
    return transactions.inCurrentTransaction(
        "SpringDelayScheduler.schedule",
        EFFECT,
        c -> scheduler.schedule(c, message, delay, cancelKey));
  }

  /**
   * Schedules {@code message} for {@code deliverAt} in the current transaction.
   *
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see DelayScheduler#scheduleAt(java.sql.Connection, OutboxMessage, Instant)
   */
  public ScheduledMessage scheduleAt(OutboxMessage message, Instant deliverAt) {
    return transactions.inCurrentTransaction(
        "SpringDelayScheduler.scheduleAt",
        EFFECT,
        c -> scheduler.scheduleAt(c, message, deliverAt));
  }

  /**
   * Schedules {@code message} for {@code deliverAt} with a cancel key, in the current transaction.
   *
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see DelayScheduler#scheduleAt(java.sql.Connection, OutboxMessage, Instant, String)
   */
  public ScheduledMessage scheduleAt(OutboxMessage message, Instant deliverAt, String cancelKey) {
    return transactions.inCurrentTransaction(
        "SpringDelayScheduler.scheduleAt",
        EFFECT,
        c -> scheduler.scheduleAt(c, message, deliverAt, cancelKey));
  }

  /**
   * Cancels the pending message with {@code topic} and {@code cancelKey} in the current
   * transaction.
   *
   * @return {@code true} if a pending message was removed, {@code false} if none was pending
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see DelayScheduler#cancel(java.sql.Connection, String, String)
   */
  public boolean cancel(String topic, String cancelKey) {
    return transactions.inCurrentTransaction(
        "SpringDelayScheduler.cancel",
        "the cancel would commit on its own, apart from the business change",
        c -> scheduler.cancel(c, topic, cancelKey));
  }

  /**
   * Moves the due time of the pending message with {@code topic} and {@code cancelKey}, in the
   * current transaction.
   *
   * @return {@code true} if a pending message was rescheduled
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see DelayScheduler#reschedule(java.sql.Connection, String, String, Instant)
   */
  public boolean reschedule(String topic, String cancelKey, Instant deliverAt) {
    return transactions.inCurrentTransaction(
        "SpringDelayScheduler.reschedule",
        "the new due time would commit on its own, apart from the business change",
        c -> scheduler.reschedule(c, topic, cancelKey, deliverAt));
  }

  /** The scheduler underneath, for its configuration, {@code pending()} or {@code runOnce()}. */
  public DelayScheduler scheduler() {
    return scheduler;
  }
}
