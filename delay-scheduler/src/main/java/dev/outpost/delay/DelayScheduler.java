package dev.outpost.delay;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.delay.internal.DefaultDelayScheduler;
import dev.outpost.delay.internal.DelayMetrics;
import dev.outpost.delay.internal.MicrometerDelayMetrics;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.OutpostException;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.quartz.Scheduler;

/**
 * Delayed messages: written in the <b>caller's</b> transaction like outbox messages, cancellable
 * and reschedulable by a business key in a later transaction, and moved into the outbox when due by
 * a clustered Quartz sweep job. From the outbox the relay publishes them like any other message,
 * with the message id they were scheduled with.
 *
 * <pre>{@code
 * DelayScheduler delay = DelayScheduler.builder().dataSource(dataSource).build();
 * delay.start();                                   // Quartz sweep, clustered on the same database
 *
 * dsl.transaction(tx -> {                           // order placed
 *   tx.dsl().insertInto(ORDERS)...execute();
 *   delay.schedule(tx.dsl(), OutboxMessage.to("order-timeout").key(orderId).payload(id).build(),
 *       Duration.ofMinutes(5), orderId);            // cancel key
 * });
 * dsl.transaction(tx -> {                           // order paid
 *   if (delay.cancel(tx.dsl(), "order-timeout", orderId)) {
 *     tx.dsl().update(ORDERS).set(STATUS, "PAID")...execute();
 *   } // else the timeout was already enqueued: it won the race
 * });
 * }</pre>
 *
 * <p><b>Guarantees.</b> A message is moved into the outbox no earlier than its due time and, with a
 * running scheduler, normally a few milliseconds after it (each started node also sweeps at the
 * next due time it knows of; at most about one sweep interval late otherwise; the lateness is
 * published as a metric). Each due message is moved exactly once, also with several nodes sweeping
 * ({@code FOR UPDATE SKIP LOCKED}). Due messages move oldest first (due time, then scheduling
 * order), so the outbox, and with it the relay's per-key order, follows due order. Schedule, cancel
 * and reschedule commit or roll back with the caller's transaction; between a cancel and a sweep,
 * whichever commits first wins and the other sees it.
 *
 * <p><b>Bad input.</b> A negative delay, a due time more than {@link
 * DelaySchedulerConfig#maxDelay()} ahead, a blank cancel key and a message breaking the outbox's
 * limits are rejected with an {@link IllegalArgumentException} before anything is written. A due
 * time in the past is allowed: the message is due at once. Cancelling or rescheduling a key that is
 * not pending returns {@code false}.
 *
 * <p>Implementations are thread-safe; share one per application and schema. {@link #start()} starts
 * the Quartz sweep (creating the Quartz scheduler, or registering the sweep job on the
 * application's), {@link #close()} stops it.
 */
public interface DelayScheduler extends AutoCloseable {

  /** Starts a configuration with the defaults of {@link DelaySchedulerConfig}. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Schedules {@code message} to be moved into the outbox {@code delay} from now, in the
   * transaction of {@code tx}, without a cancel key.
   *
   * @param delay zero or more, at most {@link DelaySchedulerConfig#maxDelay()}
   * @return the pending message's id and due time
   * @throws IllegalArgumentException if the delay is null, negative or beyond {@code maxDelay}, or
   *     the message breaks a limit of the outbox configuration
   * @throws IllegalStateException if {@code tx} is in auto-commit mode and the outbox configuration
   *     requires a transaction
   * @throws OutpostException if the database rejects the statement (for example a message id that
   *     is already scheduled); the caller's transaction is then aborted
   */
  ScheduledMessage schedule(DSLContext tx, OutboxMessage message, Duration delay);

  /**
   * Schedules {@code message} {@code delay} from now with a cancel key, unique per topic, that
   * {@link #cancel} and {@link #reschedule} refer to. If a message with this topic and cancel key
   * is pending, the configured {@link DuplicateCancelKey} policy decides which one stays.
   *
   * @param cancelKey business key such as an order id; not blank, at most the outbox's {@code
   *     maxKeyLength} characters
   * @see #schedule(DSLContext, OutboxMessage, Duration)
   */
  ScheduledMessage schedule(DSLContext tx, OutboxMessage message, Duration delay, String cancelKey);

  /**
   * Schedules {@code message} to be moved into the outbox at {@code deliverAt}. An instant in the
   * past makes the message due at once (it moves with the next sweep).
   *
   * @throws IllegalArgumentException if {@code deliverAt} is null or more than {@code maxDelay}
   *     ahead of now
   * @see #schedule(DSLContext, OutboxMessage, Duration)
   */
  ScheduledMessage scheduleAt(DSLContext tx, OutboxMessage message, Instant deliverAt);

  /**
   * Like {@link #scheduleAt(DSLContext, OutboxMessage, Instant)}, with a cancel key.
   *
   * @see #schedule(DSLContext, OutboxMessage, Duration, String)
   */
  ScheduledMessage scheduleAt(
      DSLContext tx, OutboxMessage message, Instant deliverAt, String cancelKey);

  /** Like {@link #schedule(DSLContext, OutboxMessage, Duration)}, on a JDBC connection. */
  ScheduledMessage schedule(Connection tx, OutboxMessage message, Duration delay);

  /** Like {@link #schedule(DSLContext, OutboxMessage, Duration, String)}, on a JDBC connection. */
  ScheduledMessage schedule(Connection tx, OutboxMessage message, Duration delay, String cancelKey);

  /** Like {@link #scheduleAt(DSLContext, OutboxMessage, Instant)}, on a JDBC connection. */
  ScheduledMessage scheduleAt(Connection tx, OutboxMessage message, Instant deliverAt);

  /** Like {@link #scheduleAt(DSLContext, OutboxMessage, Instant, String)}, on a JDBC connection. */
  ScheduledMessage scheduleAt(
      Connection tx, OutboxMessage message, Instant deliverAt, String cancelKey);

  /**
   * Cancels the pending message with {@code topic} and {@code cancelKey}, in the transaction of
   * {@code tx}.
   *
   * <p>Returns {@code true} when a pending message was removed: it will never be delivered (once
   * the transaction commits). Returns {@code false} when none was pending: never scheduled, already
   * cancelled, or already moved into the outbox (then it will be delivered). A sweep moving the
   * same message at the same moment makes this call wait for the sweep's commit and then return
   * {@code false}; a sweep never moves a message whose cancel is uncommitted, and moves it if that
   * cancel rolls back.
   *
   * @throws IllegalArgumentException if {@code topic} or {@code cancelKey} is null or blank
   * @throws OutpostException if the database fails
   */
  boolean cancel(DSLContext tx, String topic, String cancelKey);

  /** Like {@link #cancel(DSLContext, String, String)}, on a JDBC connection. */
  boolean cancel(Connection tx, String topic, String cancelKey);

  /**
   * Moves the due time of the pending message with {@code topic} and {@code cancelKey} to {@code
   * deliverAt} (earlier or later; a past instant makes it due at once), keeping its message id.
   *
   * @return {@code true} if a pending message was rescheduled, {@code false} if none was pending
   *     (same cases as {@link #cancel})
   * @throws IllegalArgumentException if an argument is null or blank, or {@code deliverAt} is more
   *     than {@code maxDelay} ahead of now
   * @throws OutpostException if the database fails
   */
  boolean reschedule(DSLContext tx, String topic, String cancelKey, Instant deliverAt);

  /** Like {@link #reschedule(DSLContext, String, String, Instant)}, on a JDBC connection. */
  boolean reschedule(Connection tx, String topic, String cancelKey, Instant deliverAt);

  /**
   * Sweeps now on the calling thread: moves every message due at the clock's current time into the
   * outbox, in batches of {@link DelaySchedulerConfig#batchSize()}, oldest first, each batch in its
   * own transaction, until a batch comes back smaller than the batch size. Works without {@link
   * #start()} (for tests, or applications that drive sweeps from their own scheduler); sweeps of
   * one instance never overlap, sweeps of several instances share the work.
   *
   * @throws OutpostException if the database fails (batches already committed stay moved)
   * @throws IllegalStateException after {@link #close()}
   */
  SweepResult runOnce();

  /**
   * Starts the recurring sweep: creates and starts the Quartz scheduler (or, when one was given,
   * registers the sweep job on it and leaves starting it to the application), and registers the
   * sweep job and its trigger in the cluster unless an identical trigger exists; starts this node's
   * wake-up timer ({@code outpost-delay-wake-<schema>}), which sweeps at the next due time. A
   * second call does nothing.
   *
   * @throws OutpostException if Quartz cannot start (for example its tables are missing)
   * @throws IllegalStateException after {@link #close()}
   */
  void start();

  /**
   * The Quartz scheduler the sweep runs on, for registering the application's own jobs (see the
   * module README): the one this instance created, or the one it was given.
   *
   * @throws IllegalStateException before {@link #start()} when this instance creates its own
   */
  Scheduler quartz();

  /**
   * How many delayed messages are pending (scheduled, not yet moved into the outbox) and when the
   * next one is due, for health endpoints and dashboards. One query on a connection of the data
   * source, outside any caller transaction.
   *
   * @throws OutpostException if the database fails
   */
  PendingDelayed pending();

  /** The configuration. */
  DelaySchedulerConfig config();

  /**
   * Stops sweeping on this node: lets an in-flight sweep finish its current batch (bounded wait),
   * then shuts down the Quartz scheduler this instance created (waiting for its running jobs,
   * including the application's own), or detaches from the application's scheduler and leaves it
   * running. The sweep job stays registered in a clustered job store, so the other nodes keep
   * sweeping; on a non-clustered one it is deleted. Idempotent; works without {@link #start()}.
   */
  @Override
  void close();

  /** Builds a {@link DelayScheduler}. Not thread-safe. */
  final class Builder {
    private DataSource dataSource;
    private String schema;
    private Integer partitions;
    private OutboxConfig outboxConfig;
    private Duration sweepInterval = DelaySchedulerConfig.DEFAULT_SWEEP_INTERVAL;
    private int batchSize = DelaySchedulerConfig.DEFAULT_BATCH_SIZE;
    private DuplicateCancelKey duplicateCancelKey =
        DelaySchedulerConfig.DEFAULT_DUPLICATE_CANCEL_KEY;
    private Duration maxDelay = DelaySchedulerConfig.DEFAULT_MAX_DELAY;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private Scheduler quartzScheduler;
    private String quartzSchedulerName;
    private Integer quartzThreadCount;
    private final Map<String, String> quartzProperties = new HashMap<>();
    private Dialect dialect;

    Builder() {}

    /**
     * The application's database: Outpost's tables, Quartz's {@code qrtz_*} tables and the business
     * tables live there. The sweep and Quartz borrow connections from it (Quartz creates no pool of
     * its own); the delay scheduler never closes it. Required.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * The database's dialect. By default it is detected from the first connection used (a caller's
     * transaction, a sweep, or {@link DelayScheduler#start()}), so building needs no database.
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * Schema of Outpost's and Quartz's tables. Defaults to {@value
     * OutpostTableNames#DEFAULT_SCHEMA}. Do not combine with {@link #outboxConfig}.
     */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /**
     * Logical partitions of the outbox (1..1024): must equal the {@code Outbox} writer's and the
     * relay's. Defaults to {@value OutboxConfig#DEFAULT_PARTITIONS}. Do not combine with {@link
     * #outboxConfig}.
     */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /**
     * The configuration of the application's {@link Outbox} writer ({@code outbox.config()}):
     * schema, partitions and message limits are taken from it, so delayed messages obey exactly the
     * rules of outbox messages. Its clock is not used (see {@link #clock}). Defaults to {@link
     * OutboxConfig#defaults()} with {@link #schema} and {@link #partitions}.
     */
    public Builder outboxConfig(OutboxConfig outboxConfig) {
      this.outboxConfig = outboxConfig;
      return this;
    }

    /**
     * How often the Quartz sweep runs (10 ms..1 h); the expected lateness of a due message is about
     * one interval. All nodes of a cluster must use the same value (the last node started sets the
     * shared trigger). Defaults to 250 ms.
     */
    public Builder sweepInterval(Duration sweepInterval) {
      this.sweepInterval = sweepInterval;
      return this;
    }

    /**
     * Most rows one move statement (one transaction) takes (1..100000). A sweep repeats the
     * statement until a batch comes back smaller, so a backlog drains in one sweep. Defaults to
     * 5000.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * What scheduling a cancel key that is already pending does. Defaults to {@link
     * DuplicateCancelKey#REPLACE}.
     */
    public Builder duplicateCancelKey(DuplicateCancelKey duplicateCancelKey) {
      this.duplicateCancelKey = duplicateCancelKey;
      return this;
    }

    /**
     * Furthest a due time may lie ahead (1 s..36500 days); a later one is rejected as a likely bug
     * (a delay in the wrong unit). Defaults to 365 days.
     */
    public Builder maxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
      return this;
    }

    /**
     * Clock for due times, {@code created_at}, sweeps and lateness; read once per call, sweep and
     * batch. Quartz keeps its own system-clock timing of when sweeps run. Defaults to {@link
     * Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Publishes metrics (tagged {@code schema}): counters {@code outpost.delay.moved}, {@code
     * outpost.delay.duplicates}, {@code outpost.delay.sweep.failures} and the timer {@code
     * outpost.delay.lateness} (per batch, how long its oldest message had been due when it reached
     * the outbox). Optional: Micrometer needs to be on the classpath only when this is called.
     * Defaults to none.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Attaches to the application's Quartz scheduler instead of creating one: {@link #start()}
     * registers the sweep job on it, and the application starts and shuts it down. For a cluster it
     * must use a JDBC job store on this database; any job store works on a single node. Not
     * combinable with the {@code quartz*} settings below. Defaults to none (create one).
     */
    public Builder quartzScheduler(Scheduler quartzScheduler) {
      this.quartzScheduler = quartzScheduler;
      return this;
    }

    /**
     * Name of the Quartz scheduler this instance creates, which is also its cluster name: nodes
     * with the same name and schema share one sweep. Defaults to {@code outpost-<schema>}.
     */
    public Builder quartzSchedulerName(String quartzSchedulerName) {
      this.quartzSchedulerName = quartzSchedulerName;
      return this;
    }

    /**
     * Worker threads of the Quartz scheduler this instance creates (1..100): the sweep uses one at
     * a time, the rest serve the application's own jobs. Defaults to 2.
     */
    public Builder quartzThreadCount(int quartzThreadCount) {
      this.quartzThreadCount = quartzThreadCount;
      return this;
    }

    /**
     * Extra Quartz properties ({@code org.quartz.*}) for the scheduler this instance creates; they
     * override Outpost's, for example {@code org.quartz.jobStore.misfireThreshold} (default 5000
     * ms) or {@code org.quartz.scheduler.idleWaitTime} (default 1000 ms). Defaults to none.
     */
    public Builder quartzProperties(Properties quartzProperties) {
      quartzProperties
          .stringPropertyNames()
          .forEach(name -> this.quartzProperties.put(name, quartzProperties.getProperty(name)));
      return this;
    }

    /** The configuration these settings make, validated. */
    public DelaySchedulerConfig config() {
      if (outboxConfig != null && (schema != null || partitions != null)) {
        throw new IllegalArgumentException(
            "set either outboxConfig(...) or schema(...)/partitions(...), not both: the outbox"
                + " configuration already names the schema ('"
                + outboxConfig.schema()
                + "') and the partitions ("
                + outboxConfig.partitions()
                + ")");
      }
      OutboxConfig outbox = outboxConfig;
      if (outbox == null) {
        Outbox.Builder writer = Outbox.builder();
        if (schema != null) {
          writer.schema(schema);
        }
        if (partitions != null) {
          writer.partitions(partitions);
        }
        outbox = writer.config();
      }
      return new DelaySchedulerConfig(
          outbox,
          sweepInterval,
          batchSize,
          duplicateCancelKey,
          maxDelay,
          clock,
          quartzSchedulerName == null
              ? DelaySchedulerConfig.defaultQuartzSchedulerName(outbox.schema())
              : quartzSchedulerName,
          quartzThreadCount == null
              ? DelaySchedulerConfig.DEFAULT_QUARTZ_THREAD_COUNT
              : quartzThreadCount,
          quartzProperties);
    }

    /**
     * The delay scheduler; starts nothing (see {@link DelayScheduler#start()}).
     *
     * @throws IllegalArgumentException naming the field when a value is missing or out of range, or
     *     when settings contradict each other
     */
    public DelayScheduler build() {
      if (dataSource == null) {
        throw new IllegalArgumentException(
            "dataSource is required: pass the application's DataSource (the database with"
                + " Outpost's tables)");
      }
      DelaySchedulerConfig config = config();
      if (quartzScheduler != null
          && (quartzSchedulerName != null
              || quartzThreadCount != null
              || !quartzProperties.isEmpty())) {
        throw new IllegalArgumentException(
            "quartzSchedulerName, quartzThreadCount and quartzProperties configure the Quartz"
                + " scheduler the delay scheduler creates; with quartzScheduler(...) configure the"
                + " application's scheduler instead");
      }
      DelayMetrics metrics =
          meterRegistry == null
              ? DelayMetrics.NONE
              : MicrometerDelayMetrics.create(meterRegistry, config.schema());
      return new DefaultDelayScheduler(config, dataSource, quartzScheduler, metrics, dialect);
    }
  }
}
