package dev.outpost.relay.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayConfig;
import dev.outpost.relay.RelayHealth;
import dev.outpost.relay.RelayHealth.State;
import dev.outpost.relay.internal.PartitionWorker.BatchResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Relay}: lifecycle, threads and scheduling around the lease keeper and worker. */
public final class DefaultRelay implements Relay {

  private static final Logger log = LoggerFactory.getLogger(DefaultRelay.class);

  private final RelayConfig config;
  private final RelayOutboxRepository outbox;
  private final DeadLetterRepository deadLetters;
  private final RelayMetrics metrics;
  private final LeaseKeeper keeper;
  private final PartitionWorker worker;
  private final SchemaCheck schemaCheck;
  private final Duration leaseMargin;
  private final Object lifecycle = new Object();

  private volatile State state = State.NEW;
  private volatile boolean verified;
  private volatile Instant lastPublish;
  private ScheduledThreadPoolExecutor workers;
  private ScheduledThreadPoolExecutor leaseThread;
  private NotificationListener listener;

  /** A relay for {@code config}; starts nothing. */
  public DefaultRelay(RelayConfig config) {
    this.config = config;
    OutpostSchema schema = OutpostSchema.named(config.schema());
    this.outbox = new RelayOutboxRepository(schema, config.parkKeyOnDeadLetter());
    this.deadLetters = new DeadLetterRepository(config.dataSource(), schema, config.clock());
    this.metrics = RelayMetrics.create(config.meterRegistry(), config.schema(), this::ownedCount);
    this.keeper =
        new LeaseKeeper(
            config, new LeaseRepository(schema), new InstanceRepository(schema), metrics);
    Backoff backoff =
        new Backoff(config.backoffBase(), config.backoffMax(), config.backoffJitter(), null);
    this.worker = new PartitionWorker(config, outbox, backoff, metrics);
    this.schemaCheck = new SchemaCheck(config, schema, outbox, new LeaseRepository(schema));
    this.leaseMargin = config.heartbeatInterval().dividedBy(2);
  }

  /** For the owned-partitions gauge, which is registered before the keeper exists. */
  private int ownedCount() {
    LeaseKeeper k = keeper;
    return k == null ? 0 : k.ownedCount();
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "relay "
                + config.instanceId()
                + " is "
                + state
                + "; start() works once, on a new relay");
      }
      verify();
      workers = executor(config.threads(), "outpost-relay-worker-");
      leaseThread = executor(1, "outpost-relay-lease");
      state = State.RUNNING;
      leaseThread.scheduleWithFixedDelay(
          this::leaseRound, 0, config.heartbeatInterval().toNanos(), TimeUnit.NANOSECONDS);
      if (config.listen()) {
        listener =
            new NotificationListener(
                config.dataSource(), config.schema(), config.pollInterval(), this::onNotification);
        listener.start();
      }
      log.info(
          "Relay {} started on schema '{}' ({} partitions, {} threads, listen={})",
          config.instanceId(),
          config.schema(),
          config.partitions(),
          config.threads(),
          config.listen());
    }
  }

  @Override
  public int runOnce() {
    synchronized (lifecycle) {
      if (state != State.NEW) {
        throw new IllegalStateException(
            "relay "
                + config.instanceId()
                + " is "
                + state
                + "; runOnce() drives a relay that was not started (its threads do the work)");
      }
      verify();
      try {
        LeaseKeeper.Cycle cycle = keeper.cycle(config.clock().instant(), true);
        for (OwnedPartition p : cycle.surplus()) {
          keeper.release(p);
        }
        int confirmed = 0;
        for (OwnedPartition p : keeper.owned()) {
          if (!p.usable(config.clock().instant(), leaseMargin)) {
            continue;
          }
          BatchResult result = worker.process(p.lease);
          if (result.leaseLost()) {
            lost(p);
          } else if (result.confirmed() > 0) {
            lastPublish = config.clock().instant();
            confirmed += result.confirmed();
          }
        }
        if (metrics.enabled()) {
          refreshBacklog();
        }
        return confirmed;
      } catch (SQLException e) {
        throw new OutpostException("relay runOnce failed: " + e.getMessage(), e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new OutpostException("relay runOnce was interrupted", e);
      }
    }
  }

  @Override
  public void wakeUp() {
    for (OwnedPartition p : keeper.owned()) {
      trigger(p);
    }
  }

  @Override
  public RelayHealth health() {
    long backlog = -1;
    Duration oldestAge = null;
    try (Connection c = config.dataSource().getConnection()) {
      backlog = outbox.backlog(c);
      Instant oldest = outbox.oldestCreatedAt(c);
      oldestAge = oldest == null ? null : age(oldest);
    } catch (SQLException | RuntimeException e) {
      log.debug("health: could not read the backlog", e);
    }
    NotificationListener l = listener;
    return new RelayHealth(
        config.instanceId(),
        state,
        keeper.ownedPartitions(),
        lastPublish,
        backlog,
        oldestAge,
        l != null && l.connected());
  }

  @Override
  public DeadLetters deadLetters() {
    return deadLetters;
  }

  @Override
  public RelayConfig config() {
    return config;
  }

  @Override
  public void close() {
    synchronized (lifecycle) {
      if (state == State.CLOSED) {
        return;
      }
      boolean started = state != State.NEW;
      state = State.CLOSING;
      boolean interrupted = false;
      try {
        if (listener != null) {
          listener.close(Duration.ofSeconds(2));
        }
        if (workers != null) {
          workers.shutdown();
          if (!workers.awaitTermination(config.shutdownTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
            log.warn(
                "Relay {}: in-flight batches did not finish within {}; abandoning them (their rows"
                    + " stay and are published again)",
                config.instanceId(),
                config.shutdownTimeout());
            abandonRunning();
            workers.shutdownNow();
            workers.awaitTermination(1, TimeUnit.SECONDS);
          }
        }
      } catch (InterruptedException e) {
        interrupted = true;
        if (workers != null) {
          abandonRunning();
          workers.shutdownNow();
        }
      } finally {
        if (leaseThread != null) {
          leaseThread.shutdownNow();
          interrupted |= !awaitQuietly(leaseThread);
        }
      }
      releaseAll();
      if (config.closePublisher()) {
        try {
          config.publisher().close();
        } catch (RuntimeException e) {
          log.warn("Relay {}: closing the publisher failed", config.instanceId(), e);
        }
      }
      state = State.CLOSED;
      if (started) { // a relay that never started has nothing to report
        log.info("Relay {} closed", config.instanceId());
      }
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Forgets the partitions whose batch is still running. Their batches may still be with the
   * publisher: their leases are left to expire rather than handing the rows to another relay while
   * they are being sent.
   */
  private void abandonRunning() {
    for (OwnedPartition p : keeper.owned()) {
      if (p.running) {
        keeper.forget(p);
        log.warn(
            "Relay {}: abandoned the batch of partition {}; its lease expires in at most {}",
            config.instanceId(),
            p.partition(),
            config.leaseDuration());
      }
    }
  }

  private void releaseAll() {
    for (OwnedPartition p : keeper.owned()) {
      try {
        keeper.release(p);
      } catch (SQLException | RuntimeException e) {
        log.warn("Relay {}: could not release partition {}", config.instanceId(), p.partition(), e);
      }
    }
    if (verified) {
      try {
        keeper.unregister();
      } catch (SQLException | RuntimeException e) {
        log.warn("Relay {}: could not unregister", config.instanceId(), e);
      }
    }
  }

  private void verify() {
    if (!verified) {
      schemaCheck.verify();
      verified = true;
    }
  }

  private void leaseRound() {
    try {
      // While closing, leases are only renewed (in-flight batches keep theirs), never taken.
      LeaseKeeper.Cycle cycle = keeper.cycle(config.clock().instant(), state == State.RUNNING);
      for (OwnedPartition p : cycle.acquired()) {
        trigger(p);
      }
      for (OwnedPartition p : cycle.surplus()) {
        trigger(p);
      }
      for (OwnedPartition p : cycle.lost()) {
        cancelPoll(p);
      }
      if (metrics.enabled()) {
        refreshBacklog();
      }
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "Relay {}: lease round failed ({}); retrying in {}",
          config.instanceId(),
          e.toString(),
          config.heartbeatInterval());
    }
  }

  private void refreshBacklog() throws SQLException {
    try (Connection c = config.dataSource().getConnection()) {
      long backlog = outbox.backlog(c);
      Instant oldest = outbox.oldestCreatedAt(c);
      metrics.backlog(backlog, oldest == null ? null : age(oldest));
    }
  }

  private void onNotification(Connection c) throws SQLException {
    if (state != State.RUNNING) {
      return;
    }
    var owned = keeper.owned();
    if (owned.isEmpty()) {
      return;
    }
    int[] partitions = owned.stream().mapToInt(OwnedPartition::partition).toArray();
    for (int partition : outbox.partitionsWithNewRows(c, partitions)) {
      for (OwnedPartition p : owned) {
        if (p.partition() == partition) {
          trigger(p);
        }
      }
    }
  }

  private void trigger(OwnedPartition p) {
    if (state != State.RUNNING || p.stopped) {
      return;
    }
    if (p.queued.compareAndSet(false, true)) {
      try {
        workers.execute(() -> runPartition(p));
      } catch (RejectedExecutionException e) {
        p.queued.set(false);
      }
    } else {
      p.rerun = true;
    }
  }

  private void runPartition(OwnedPartition p) {
    p.rerun = false;
    Duration next;
    try {
      next = step(p);
    } finally {
      p.queued.set(false);
    }
    if (next == null || state != State.RUNNING || p.stopped) {
      return;
    }
    if (next.isZero() || p.rerun) {
      trigger(p);
    } else {
      schedulePoll(p, next);
    }
  }

  /** One batch of {@code p}; returns when to run again (zero: at once; null: never). */
  private Duration step(OwnedPartition p) {
    if (state != State.RUNNING || p.stopped) {
      return null;
    }
    if (p.releaseRequested) {
      try {
        keeper.release(p);
      } catch (SQLException | RuntimeException e) {
        log.warn(
            "Relay {}: could not release partition {}; it expires",
            config.instanceId(),
            p.partition(),
            e);
      }
      return null;
    }
    Instant now = config.clock().instant();
    if (!p.usable(now, leaseMargin)) {
      return config.heartbeatInterval();
    }
    p.running = true;
    try {
      BatchResult result = worker.process(p.lease);
      if (result.leaseLost()) {
        lost(p);
        return null;
      }
      if (p.failing) {
        p.failing = false;
        log.info("Relay {}: partition {} works again", config.instanceId(), p.partition());
      }
      if (result.confirmed() > 0) {
        lastPublish = config.clock().instant();
      }
      return nextRun(result);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (SQLException | RuntimeException e) {
      batchFailed(p, e);
      return config.pollInterval();
    } finally {
      p.running = false;
    }
  }

  /** At once after a full window; else at the next poll, or sooner when a retry is due. */
  private Duration nextRun(BatchResult result) {
    if (result.fullWindow()) {
      return Duration.ZERO;
    }
    Duration next = config.pollInterval();
    if (result.nextRetryAt() != null) {
      Duration untilRetry = Duration.between(config.clock().instant(), result.nextRetryAt());
      if (untilRetry.compareTo(next) < 0) {
        next = untilRetry.isNegative() || untilRetry.isZero() ? Duration.ofMillis(1) : untilRetry;
      }
    }
    return next;
  }

  private void batchFailed(OwnedPartition p, Exception e) {
    if (p.failing) {
      log.debug(
          "Relay {}: batch of partition {} failed again", config.instanceId(), p.partition(), e);
      return;
    }
    p.failing = true;
    log.warn(
        "Relay {}: batch of partition {} failed; retrying every {} (logged once until it works"
            + " again)",
        config.instanceId(),
        p.partition(),
        config.pollInterval(),
        e);
  }

  private void lost(OwnedPartition p) {
    keeper.forget(p);
    cancelPoll(p);
    metrics.leaseChanges("lost", 1);
    log.warn(
        "Relay {}: lease of partition {} was taken over (fencing token {} is stale); its batch's"
            + " outcome was discarded and the new owner publishes those rows",
        config.instanceId(),
        p.partition(),
        p.lease.fencingToken());
  }

  private void schedulePoll(OwnedPartition p, Duration delay) {
    ScheduledFuture<?> previous = p.nextPoll;
    try {
      p.nextPoll = workers.schedule(() -> trigger(p), delay.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      return;
    }
    if (previous != null) {
      previous.cancel(false);
    }
  }

  /** Waits briefly for an executor; false if interrupted. */
  private static boolean awaitQuietly(ScheduledThreadPoolExecutor executor) {
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
      return true;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static void cancelPoll(OwnedPartition p) {
    ScheduledFuture<?> poll = p.nextPoll;
    if (poll != null) {
      poll.cancel(false);
    }
  }

  private Duration age(Instant then) {
    Duration age = Duration.between(then, config.clock().instant());
    return age.isNegative() ? Duration.ZERO : age;
  }

  private static ScheduledThreadPoolExecutor executor(int threads, String name) {
    AtomicInteger counter = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, threads == 1 ? name : name + counter.incrementAndGet());
          t.setDaemon(false);
          return t;
        };
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(threads, factory);
    executor.setRemoveOnCancelPolicy(true);
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    return executor;
  }
}
