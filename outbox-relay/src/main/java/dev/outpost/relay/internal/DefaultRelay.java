package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.WakeUps;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayConfig;
import dev.outpost.relay.RelayHealth;
import dev.outpost.relay.RelayHealth.State;
import dev.outpost.relay.internal.PartitionWorker.BatchResult;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link Relay}: lifecycle, threads and scheduling around the lease keeper and worker. */
public final class DefaultRelay implements Relay {

  private static final Logger log = LoggerFactory.getLogger(DefaultRelay.class);

  /**
   * Longest a {@link Publisher#probe(Duration)} may take (shorter with a shorter publishTimeout).
   */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  /**
   * First re-poll after a nudge that found nothing (nanoseconds; doubling from there): the writer's
   * transaction usually commits within milliseconds of its send.
   */
  private static final long NUDGE_REPOLL = Duration.ofMillis(5).toNanos();

  /** A batch running this much longer than the publish timeout counts as stalled in health. */
  private static final Duration STALL_MARGIN = Duration.ofSeconds(30);

  private final RelayConfig config;
  private final DataSource dataSource;
  private final Publisher publisher;
  private final Clock clock;
  private final RelayOutboxRepository outbox;
  private final DeadLetterRepository deadLetters;
  private final RelayMetrics metrics;
  private final LeaseKeeper keeper;
  private final PartitionWorker worker;
  private final SchemaCheck schemaCheck;
  private final CircuitBreaker breaker;
  private final OutcomeLog outcomeLog;
  private final BreakerLog breakerLog = new BreakerLog();
  private final Duration leaseMargin;
  private final Duration probeTimeout;
  private final Object lifecycle = new Object();

  private volatile State state = State.NEW;
  private volatile boolean verified;
  private volatile Instant lastPublish;
  private volatile Instant leaseRoundFailingSince;
  private volatile String leaseRoundError;
  private ScheduledThreadPoolExecutor workers;
  private ScheduledThreadPoolExecutor leaseThread;
  private NotificationListener listener;
  private WakeUps.Subscription nudges;
  private final Dialect dialect;

  /** No LISTEN/NOTIFY: partitions poll adaptively, and a writer in this JVM nudges them. */
  private final boolean polling;

  /**
   * A relay for {@code config} on a {@code dialect} database with its collaborators; starts
   * nothing.
   *
   * @param meterRegistry a Micrometer registry, or null for no metrics
   */
  public DefaultRelay(
      RelayConfig config,
      Dialect dialect,
      DataSource dataSource,
      Publisher publisher,
      Clock clock,
      MeterRegistry meterRegistry) {
    this.config = config;
    this.dataSource = dataSource;
    this.publisher = publisher;
    this.clock = clock;
    this.dialect = dialect;
    this.polling = !(config.listen() && dialect == Dialect.POSTGRESQL);
    OutpostSchema schema = OutpostSchema.of(dialect, config.schema());
    this.outbox = new RelayOutboxRepository(schema, config.retry().parkKeyOnDeadLetter());
    this.deadLetters = new DeadLetterRepository(dataSource, schema, clock);
    Duration probeInterval = config.breaker().probeInterval();
    this.probeTimeout =
        config.publishTimeout().compareTo(PROBE_TIMEOUT) < 0
            ? config.publishTimeout()
            : PROBE_TIMEOUT;
    this.breaker = new CircuitBreaker(probeInterval, probeTimeout);
    this.outcomeLog = new OutcomeLog(config.instanceId());
    this.metrics =
        RelayMetrics.create(meterRegistry, config.schema(), this::ownedCount, breaker::isOpen);
    this.keeper =
        new LeaseKeeper(
            config,
            dataSource,
            LeaseRepository.of(schema),
            new InstanceRepository(schema),
            metrics);
    RelayConfig.RetryPolicy retry = config.retry();
    Backoff backoff =
        new Backoff(retry.backoffBase(), retry.backoffMax(), retry.backoffJitter(), null);
    this.worker =
        new PartitionWorker(
            config, dataSource, publisher, clock, outbox, backoff, metrics, outcomeLog);
    this.schemaCheck =
        new SchemaCheck(config, dataSource, schema, outbox, LeaseRepository.of(schema));
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
      if (polling) {
        nudges = WakeUps.subscribe(this::onNudge);
      } else {
        listener =
            new NotificationListener(
                dataSource, config.schema(), config.pollInterval(), this::onNotification);
        listener.start();
      }
      log.info(
          "Relay {} started on schema '{}' of {} ({} partitions, {} threads, {})",
          config.instanceId(),
          config.schema(),
          dialect.productName(),
          config.partitions(),
          config.threads(),
          polling
              ? "polling every "
                  + config.polling().fastPollInterval()
                  + ".."
                  + config.pollInterval()
              : "listening");
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
        LeaseKeeper.Cycle cycle = keeper.cycle(clock.instant(), true);
        for (OwnedPartition p : cycle.surplus()) {
          keeper.release(p);
        }
        int confirmed = 0;
        for (OwnedPartition p : keeper.owned()) {
          if (!p.usable(clock.instant(), leaseMargin)) {
            continue;
          }
          BatchResult result = batch(p);
          if (result == null) {
            continue;
          }
          if (result.leaseLost()) {
            lost(p);
          } else {
            confirmed += result.confirmed();
          }
        }
        outcomeLog.flushIfDue(clock.instant());
        reportLastingOutage();
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
    List<String> problems = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      backlog = outbox.backlog(c);
      Instant oldest = outbox.oldestCreatedAt(c);
      oldestAge = oldest == null ? null : age(oldest);
    } catch (SQLException | RuntimeException e) {
      log.debug("health: could not read the backlog", e);
      problems.add("database does not answer: " + e);
    }
    problems.addAll(problems(clock.instant()));
    NotificationListener l = listener;
    State current = state;
    if (current == State.RUNNING && !problems.isEmpty()) {
      current = State.DEGRADED;
    }
    CircuitBreaker.Snapshot b = breaker.snapshot();
    return new RelayHealth(
        config.instanceId(),
        current,
        keeper.ownedPartitions(),
        lastPublish,
        backlog,
        oldestAge,
        l != null && l.connected(),
        b.open() ? b.since() : null,
        problems);
  }

  /** What keeps this relay from working normally at {@code now}, in words, or nothing. */
  private List<String> problems(Instant now) {
    List<String> problems = new ArrayList<>();
    CircuitBreaker.Snapshot b = breaker.snapshot();
    if (b.open()) {
      problems.add(
          "broker unavailable since "
              + b.since()
              + " (publishing paused, probing every "
              + config.breaker().probeInterval()
              + ", "
              + b.probes()
              + " probes so far): "
              + b.cause());
    }
    Instant leaseFailing = leaseRoundFailingSince;
    if (leaseFailing != null) {
      problems.add("lease round failing since " + leaseFailing + ": " + leaseRoundError);
    }
    Duration stall = config.publishTimeout().plus(STALL_MARGIN);
    for (OwnedPartition p : keeper.owned()) {
      Instant failingSince = p.failingSince;
      if (failingSince != null) {
        problems.add(
            "partition "
                + p.partition()
                + " failing since "
                + failingSince
                + " (retried every "
                + config.pollInterval()
                + "): "
                + p.lastError);
      }
      Instant started = p.batchStartedAt;
      if (p.running && started != null && now.isAfter(started.plus(stall))) {
        problems.add(
            "partition "
                + p.partition()
                + " stalled: its batch has been running since "
                + started
                + ", longer than publishTimeout + "
                + STALL_MARGIN);
      }
    }
    return problems;
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
        if (nudges != null) {
          nudges.close();
        }
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
          publisher.close();
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
      LeaseKeeper.Cycle cycle = keeper.cycle(clock.instant(), state == State.RUNNING);
      for (OwnedPartition p : cycle.acquired()) {
        trigger(p);
      }
      for (OwnedPartition p : cycle.surplus()) {
        trigger(p);
      }
      for (OwnedPartition p : cycle.lost()) {
        cancelPoll(p);
      }
      leaseRoundFailingSince = null;
      outcomeLog.flushIfDue(clock.instant());
      reportLastingOutage();
      if (metrics.enabled()) {
        refreshBacklog();
      }
    } catch (Throwable e) {
      if (leaseRoundFailingSince == null) {
        leaseRoundFailingSince = clock.instant();
      }
      leaseRoundError = e.toString();
      metrics.cycleFailed();
      log.warn(
          "Relay {}: lease round failed ({}); retrying in {}",
          config.instanceId(),
          e.toString(),
          config.heartbeatInterval());
    }
  }

  private void refreshBacklog() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
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
        if (partition == WakeUps.ANY_PARTITION || p.partition() == partition) {
          trigger(p);
        }
      }
    }
  }

  /** A writer in this JVM wrote to {@code partition}: poll it now, and quickly a few times more. */
  private void onNudge(String schema, int partition) {
    if (state != State.RUNNING || !schema.equals(config.schema())) {
      return;
    }
    for (OwnedPartition p : keeper.owned()) {
      if (partition == WakeUps.ANY_PARTITION || p.partition() == partition) {
        p.idleDelayNanos = Math.min(config.polling().fastPollInterval().toNanos(), NUDGE_REPOLL);
        trigger(p);
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
    } catch (Throwable e) {
      // step() catches everything itself; this only guards the scheduling below.
      next = config.pollInterval();
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
      } catch (Throwable e) {
        log.warn(
            "Relay {}: could not release partition {}; it expires",
            config.instanceId(),
            p.partition(),
            e);
      }
      return null;
    }
    Instant now = clock.instant();
    if (!p.usable(now, leaseMargin)) {
      return config.heartbeatInterval();
    }
    try {
      BatchResult result = batch(p);
      if (result == null) {
        return breaker.untilNextProbe(clock.instant());
      }
      if (result.leaseLost()) {
        lost(p);
        return null;
      }
      if (p.failingSince != null) {
        p.failingSince = null;
        p.lastError = null;
        log.info("Relay {}: partition {} works again", config.instanceId(), p.partition());
      }
      if (result.unavailable() != null) {
        return breaker.untilNextProbe(clock.instant());
      }
      return nextRun(p, result);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    } catch (Throwable e) {
      // Whatever it was (a database error, an Error thrown by the publisher, OutOfMemoryError on a
      // huge batch), the window's rows were not changed: they are published again on the next run.
      batchFailed(p, e);
      return config.pollInterval();
    }
  }

  /**
   * One batch of {@code p} under the circuit breaker: a normal batch while it is closed; while it
   * is open, nothing (null) unless this partition's turn to probe has come. Opens the breaker when
   * the destination is unavailable and closes it (waking every partition) when a probe gets an
   * answer.
   */
  private BatchResult batch(OwnedPartition p) throws SQLException, InterruptedException {
    Instant now = clock.instant();
    CircuitBreaker.Permit permit = breaker.permit(now);
    if (permit == CircuitBreaker.Permit.WAIT) {
      return null;
    }
    boolean probe = permit == CircuitBreaker.Permit.PROBE;
    boolean probeDone = false;
    p.running = true;
    p.batchStartedAt = now;
    try {
      if (probe) {
        Publisher.Availability availability = probe();
        if (availability == Publisher.Availability.UNAVAILABLE) {
          // Keeps the cause that opened the breaker, for health.
          breaker.unavailable(clock.instant(), null);
          probeDone = true;
          return null;
        }
        if (availability == Publisher.Availability.AVAILABLE) {
          destinationAvailable("its probe answered");
          probeDone = true;
          probe = false;
        }
      }
      // UNKNOWN: the probe is the head message, published alone.
      BatchResult result = worker.process(p.lease, probe);
      if (result.unavailable() != null) {
        destinationUnavailable(result.unavailable());
        probeDone = true;
      } else if (probe && result.claimed() > 0) {
        destinationAvailable("the head message of partition " + p.partition() + " got an answer");
        probeDone = true;
      }
      if (result.confirmed() > 0) {
        lastPublish = clock.instant();
      }
      return result;
    } finally {
      p.running = false;
      if (probe && !probeDone) {
        breaker.probeInconclusive();
      }
    }
  }

  private Publisher.Availability probe() {
    try {
      Publisher.Availability answer = publisher.probe(probeTimeout);
      return answer == null ? Publisher.Availability.UNKNOWN : answer;
    } catch (RuntimeException e) {
      log.debug("Relay {}: the publisher's probe failed", config.instanceId(), e);
      return Publisher.Availability.UNAVAILABLE;
    }
  }

  private void destinationUnavailable(Throwable cause) {
    if (breaker.unavailable(clock.instant(), cause)) {
      metrics.breakerTransition("down");
      int flaps = breakerLog.down(clock.instant());
      if (flaps >= 0) {
        log.warn(
            "Relay {}: the publisher's destination is unavailable ({}); publishing paused for every"
                + " partition without counting attempts, probing every {}{}",
            config.instanceId(),
            BatchPlan.describe(cause),
            config.breaker().probeInterval(),
            flaps == 0 ? "" : " (" + flaps + " more outages since the last report)");
      }
    } else {
      log.debug("Relay {}: destination still unavailable: {}", config.instanceId(), cause);
    }
  }

  private void destinationAvailable(String how) {
    Duration down = breaker.available(clock.instant());
    if (down != null) {
      metrics.breakerTransition("up");
      if (breakerLog.up(clock.instant())) {
        log.warn(
            "Relay {}: the publisher's destination is available again ({}) after {}; resuming"
                + " every partition",
            config.instanceId(),
            how,
            down);
      }
      if (state == State.RUNNING) {
        wakeUp();
      }
    }
  }

  private void reportLastingOutage() {
    CircuitBreaker.Snapshot b = breaker.snapshot();
    if (b.open() && breakerLog.lasting(clock.instant())) {
      log.warn(
          "Relay {}: the publisher's destination is unavailable since {} ({}); publishing paused,"
              + " probing every {}",
          config.instanceId(),
          b.since(),
          b.cause() == null ? "unknown cause" : BatchPlan.describe(b.cause()),
          config.breaker().probeInterval());
    }
  }

  /**
   * Rate-limits the breaker's WARN lines when the destination flaps: at most one down/up pair per
   * minute; outages in between are counted and reported with the next one logged.
   */
  private static final class BreakerLog {
    private Instant lastDown;
    private int suppressed;
    private boolean downLogged;

    /** -1 to stay quiet, else how many outages were not logged since the last logged one. */
    synchronized int down(Instant now) {
      if (lastDown != null && now.isBefore(lastDown.plus(OutcomeLog.PERIOD))) {
        suppressed++;
        downLogged = false;
        return -1;
      }
      lastDown = now;
      downLogged = true;
      int flaps = suppressed;
      suppressed = 0;
      return flaps;
    }

    /** Whether to log the recovery: when its outage was logged. */
    synchronized boolean up(Instant now) {
      return downLogged;
    }

    /**
     * Whether an outage whose start was not logged (flapping) should be logged now because it
     * lasts: the quiet minute is over. Marks it logged.
     */
    synchronized boolean lasting(Instant now) {
      if (downLogged || lastDown == null || now.isBefore(lastDown.plus(OutcomeLog.PERIOD))) {
        return false;
      }
      lastDown = now;
      downLogged = true;
      suppressed = 0;
      return true;
    }
  }

  /**
   * At once after a full window; else at the next poll, or sooner when a retry is due. A polling
   * relay polls again after the fast interval when the batch found work, and doubles the interval
   * with each empty poll up to the poll interval.
   */
  private Duration nextRun(OwnedPartition p, BatchResult result) {
    if (result.fullWindow()) {
      return Duration.ZERO;
    }
    Duration next = config.pollInterval();
    if (polling) {
      long fast = config.polling().fastPollInterval().toNanos();
      long idle = config.pollInterval().toNanos();
      long delay = result.claimed() > 0 || p.idleDelayNanos <= 0 ? fast : p.idleDelayNanos;
      p.idleDelayNanos = Math.min(idle, delay > idle / 2 ? idle : delay * 2);
      next = Duration.ofNanos(Math.min(delay, idle));
    }
    if (result.nextRetryAt() != null) {
      Duration untilRetry = Duration.between(clock.instant(), result.nextRetryAt());
      if (untilRetry.compareTo(next) < 0) {
        next = untilRetry.isNegative() || untilRetry.isZero() ? Duration.ofMillis(1) : untilRetry;
      }
    }
    return next;
  }

  private void batchFailed(OwnedPartition p, Throwable e) {
    metrics.cycleFailed();
    p.lastError = e.toString();
    if (p.failingSince != null) {
      log.debug(
          "Relay {}: batch of partition {} failed again", config.instanceId(), p.partition(), e);
      return;
    }
    p.failingSince = clock.instant();
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
    Duration age = Duration.between(then, clock.instant());
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
