package dev.outpost.examples.basics;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.time.Clock;
import java.time.Duration;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * A delayed message with a cancel key: "cancel this order if it is still unpaid in 15 minutes". It
 * is scheduled in the order's transaction and cancelled in the payment's transaction, so the
 * timeout exists iff the order committed and disappears iff the payment committed. When it falls
 * due, the scheduler moves it into the outbox and the relay publishes it like any other message.
 */
public final class DelayedWithCancel implements AutoCloseable {

  /** Topic of the timeout message. */
  public static final String TIMEOUT_TOPIC = "order.payment-timeout";

  private final DSLContext dsl;
  private final DelayScheduler delays;

  /**
   * @param dataSource the database, migrated with {@code OutpostMigrations}
   * @param schema the schema of Outpost's tables
   * @param clock the scheduler's clock (tests pass a clock they move)
   */
  public DelayedWithCancel(DataSource dataSource, String schema, Clock clock) {
    this.dsl = DSL.using(dataSource, SQLDialect.POSTGRES);
    Outbox outbox = Outbox.builder().schema(schema).clock(clock).build();
    this.delays =
        DelayScheduler.builder()
            .dataSource(dataSource)
            .outboxConfig(outbox.config()) // same schema and partitions as the outbox
            .clock(clock)
            .build();
  }

  /** Schedules the payment timeout of {@code orderId}, due after {@code timeout}. */
  public void orderPlaced(UUID orderId, Duration timeout) {
    dsl.transaction(
        tx ->
            delays.schedule(
                tx.dsl(),
                OutboxMessage.to(TIMEOUT_TOPIC).key(orderId.toString()).payload("unpaid").build(),
                timeout,
                orderId.toString())); // the cancel key
  }

  /** Cancels the timeout; returns whether it was still pending. */
  public boolean orderPaid(UUID orderId) {
    return dsl.transactionResult(tx -> delays.cancel(tx.dsl(), TIMEOUT_TOPIC, orderId.toString()));
  }

  /**
   * Moves the messages that are due into the outbox, once; {@link DelayScheduler#start()} does this
   * every few hundred milliseconds with a clustered Quartz job instead.
   *
   * @return how many messages moved
   */
  public long sweep() {
    return delays.runOnce().moved();
  }

  @Override
  public void close() {
    delays.close();
  }
}
