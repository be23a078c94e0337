package dev.outpost.delay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.DelaySchedulerConfig;
import dev.outpost.delay.PendingDelayed;
import dev.outpost.delay.ScheduledMessage;
import dev.outpost.delay.SweepResult;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.MessagePreparer;
import dev.outpost.outbox.internal.PreparedMessage;
import dev.outpost.outbox.internal.WakeUps;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.quartz.Scheduler;

/** The {@link DelayScheduler}. Thread-safe. */
public final class DefaultDelayScheduler implements DelayScheduler {

  /** How long {@link #close()} waits for an in-flight sweep to finish its batch. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

  private enum State {
    NEW,
    STARTED,
    CLOSED
  }

  private final DelaySchedulerConfig config;
  private final MessagePreparer preparer;
  private final DelayedRepositories repositories;
  private final DueTimes dueTimes;
  private final Sweeper sweeper;
  private final QuartzAdapter quartz;
  private final WakeTimer wakeTimer;
  private final boolean ownsQuartz;
  private final DataSource dataSource;
  private State state = State.NEW;

  /**
   * A delay scheduler; starts nothing. With a null {@code dialect} it is detected from the first
   * connection used.
   */
  public DefaultDelayScheduler(
      DelaySchedulerConfig config,
      DataSource dataSource,
      Scheduler given,
      DelayMetrics metrics,
      Dialect dialect) {
    this.config = config;
    this.dataSource = dataSource;
    this.preparer = new MessagePreparer(config.outbox());
    this.repositories =
        new DelayedRepositories(config.schema(), config.duplicateCancelKey(), dialect);
    this.dueTimes = new DueTimes(config.maxDelay(), config.outbox().maxKeyLength());
    this.sweeper =
        new Sweeper(
            dataSource,
            repositories,
            config.clock(),
            config.batchSize(),
            metrics,
            // A relay that polls (MySQL/MariaDB) in this JVM looks at once; PostgreSQL's NOTIFY
            // trigger already told relays everywhere.
            () -> WakeUps.written(config.schema(), WakeUps.ANY_PARTITION));
    this.quartz = new QuartzAdapter(config, dataSource, given);
    this.wakeTimer =
        new WakeTimer(
            sweeper,
            config.clock(),
            config.sweepInterval(),
            "outpost-delay-wake-" + config.schema());
    this.ownsQuartz = given == null;
  }

  @Override
  public PendingDelayed pending() {
    try (Connection c = dataSource.getConnection()) {
      return repositories.of(c).pending(c);
    } catch (SQLException e) {
      throw new OutpostException(
          "could not count the pending delayed messages in schema '" + config.schema() + "'", e);
    }
  }

  @Override
  public ScheduledMessage schedule(DSLContext tx, OutboxMessage message, Duration delay) {
    return schedule(tx, message, delay, null, false);
  }

  @Override
  public ScheduledMessage schedule(
      DSLContext tx, OutboxMessage message, Duration delay, String cancelKey) {
    return schedule(tx, message, delay, cancelKey, true);
  }

  @Override
  public ScheduledMessage scheduleAt(DSLContext tx, OutboxMessage message, Instant deliverAt) {
    return scheduleAt(tx, message, deliverAt, null, false);
  }

  @Override
  public ScheduledMessage scheduleAt(
      DSLContext tx, OutboxMessage message, Instant deliverAt, String cancelKey) {
    return scheduleAt(tx, message, deliverAt, cancelKey, true);
  }

  @Override
  public ScheduledMessage schedule(Connection tx, OutboxMessage message, Duration delay) {
    Instant now = config.clock().instant();
    return insert(tx, message, now, dueTimes.afterDelay(now, delay), null);
  }

  @Override
  public ScheduledMessage schedule(
      Connection tx, OutboxMessage message, Duration delay, String cancelKey) {
    dueTimes.checkCancelKey(cancelKey);
    Instant now = config.clock().instant();
    return insert(tx, message, now, dueTimes.afterDelay(now, delay), cancelKey);
  }

  @Override
  public ScheduledMessage scheduleAt(Connection tx, OutboxMessage message, Instant deliverAt) {
    Instant now = config.clock().instant();
    return insert(tx, message, now, dueTimes.at(now, deliverAt), null);
  }

  @Override
  public ScheduledMessage scheduleAt(
      Connection tx, OutboxMessage message, Instant deliverAt, String cancelKey) {
    dueTimes.checkCancelKey(cancelKey);
    Instant now = config.clock().instant();
    return insert(tx, message, now, dueTimes.at(now, deliverAt), cancelKey);
  }

  @Override
  public boolean cancel(DSLContext tx, String topic, String cancelKey) {
    dueTimes.checkTopicAndKey(topic, cancelKey);
    return requireTx(tx).connectionResult(c -> repositories.of(c).cancel(c, topic, cancelKey));
  }

  @Override
  public boolean cancel(Connection tx, String topic, String cancelKey) {
    dueTimes.checkTopicAndKey(topic, cancelKey);
    return repositories.of(tx).cancel(tx, topic, cancelKey);
  }

  @Override
  public boolean reschedule(DSLContext tx, String topic, String cancelKey, Instant deliverAt) {
    dueTimes.checkTopicAndKey(topic, cancelKey);
    Instant due = dueTimes.at(config.clock().instant(), deliverAt);
    boolean found =
        requireTx(tx)
            .connectionResult(
                c -> repositories.of(c).reschedule(c, topic, cancelKey, DueTimes.toColumn(due)));
    if (found) {
      wakeTimer.nudge(due);
    }
    return found;
  }

  @Override
  public boolean reschedule(Connection tx, String topic, String cancelKey, Instant deliverAt) {
    dueTimes.checkTopicAndKey(topic, cancelKey);
    Instant due = dueTimes.at(config.clock().instant(), deliverAt);
    boolean found =
        repositories.of(requireTx(tx)).reschedule(tx, topic, cancelKey, DueTimes.toColumn(due));
    if (found) {
      wakeTimer.nudge(due);
    }
    return found;
  }

  @Override
  public SweepResult runOnce() {
    return sweeper.sweepOnce();
  }

  @Override
  public synchronized void start() {
    if (state == State.CLOSED) {
      throw new IllegalStateException("the delay scheduler is closed; build a new one");
    }
    if (state == State.STARTED) {
      return;
    }
    quartz.start(sweeper, detectDialect());
    wakeTimer.start();
    state = State.STARTED;
  }

  /**
   * The database's dialect for Quartz's delegate and table names, before Quartz writes its tables.
   * Null when the database cannot be reached now: Quartz's start reports that (attached to an
   * application's scheduler, the sweeps retry).
   */
  private Dialect detectDialect() {
    try (Connection c = dataSource.getConnection()) {
      return repositories.of(c).dialect;
    } catch (SQLException e) {
      return null;
    }
  }

  @Override
  public synchronized Scheduler quartz() {
    Scheduler scheduler = quartz.scheduler();
    if (scheduler == null) {
      throw new IllegalStateException(
          state == State.CLOSED
              ? "the delay scheduler is closed; its Quartz scheduler is shut down"
              : "the delay scheduler creates its Quartz scheduler in start(); call start() first");
    }
    return scheduler;
  }

  @Override
  public DelaySchedulerConfig config() {
    return config;
  }

  @Override
  public void close() {
    synchronized (this) {
      if (state == State.CLOSED) {
        return;
      }
      state = State.CLOSED;
    }
    // Quartz's shutdown swallows interrupts, and an interrupted caller would cut the waits
    // short: run both with the flag cleared, and restore it at the end.
    boolean interrupted = Thread.interrupted();
    sweeper.close(CLOSE_WAIT);
    wakeTimer.close();
    interrupted |= Thread.interrupted();
    synchronized (this) {
      quartz.close();
    }
    if (interrupted | Thread.interrupted()) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "DelayScheduler{schema="
        + config.schema()
        + ", quartz="
        + (ownsQuartz ? config.quartzSchedulerName() : "attached")
        + '}';
  }

  private ScheduledMessage schedule(
      DSLContext tx, OutboxMessage message, Duration delay, String cancelKey, boolean keyed) {
    if (keyed) {
      dueTimes.checkCancelKey(cancelKey);
    }
    Instant now = config.clock().instant();
    Instant due = dueTimes.afterDelay(now, delay);
    return requireTx(tx).connectionResult(c -> insert(c, message, now, due, cancelKey));
  }

  private ScheduledMessage scheduleAt(
      DSLContext tx, OutboxMessage message, Instant deliverAt, String cancelKey, boolean keyed) {
    if (keyed) {
      dueTimes.checkCancelKey(cancelKey);
    }
    Instant now = config.clock().instant();
    Instant due = dueTimes.at(now, deliverAt);
    return requireTx(tx).connectionResult(c -> insert(c, message, now, due, cancelKey));
  }

  private ScheduledMessage insert(
      Connection tx, OutboxMessage message, Instant now, Instant due, String cancelKey) {
    PreparedMessage prepared = preparer.prepare(message, now);
    requireTransaction(requireTx(tx));
    ScheduledMessage scheduled =
        repositories.of(tx).insert(tx, prepared, DueTimes.toColumn(due), cancelKey);
    wakeTimer.nudge(scheduled.deliverAt());
    return scheduled;
  }

  private void requireTransaction(Connection connection) {
    if (!config.outbox().requireTransaction()) {
      return;
    }
    try {
      if (connection.getAutoCommit()) {
        throw new IllegalStateException(
            "DelayScheduler.schedule was called on a connection in auto-commit mode: the delayed"
                + " message would commit on its own, apart from the business change. Call it"
                + " inside the transaction of the business change (setAutoCommit(false), or"
                + " dsl.transaction(...)), or use an outbox configuration with"
                + " requireTransaction(false) if that is really intended.");
      }
    } catch (SQLException e) {
      throw new OutpostException("could not read the connection's auto-commit mode", e);
    }
  }

  private static <T> T requireTx(T tx) {
    if (tx == null) {
      throw new IllegalArgumentException(
          "tx must not be null: pass the caller's transaction (DSLContext or Connection)");
    }
    return tx;
  }
}
