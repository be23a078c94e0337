package dev.outpost.delay.internal;

import dev.outpost.delay.SweepResult;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The in-node wake-up: sweeps at the next due time instead of waiting for the next fire of the
 * Quartz sweep. Quartz stays the cluster's coordinator (its recurring sweep, misfires, failover);
 * this timer only adds early sweeps on the node it runs on.
 *
 * <p>It knows two due times: the earliest one committed in the table (read after every sweep and
 * every {@code refreshInterval}, an index probe) and the earliest one a transaction of this JVM
 * scheduled ({@link #nudge}). When the clock reaches either, it sweeps (at most once per {@link
 * #MIN_GAP}). A nudged message may still be uncommitted when it falls due, so after a sweep caused
 * by a nudge the timer sweeps again after 2, 4, 8 … ms until the refresh interval, where the table
 * probe takes over. A due row the sweep could not move (held by an uncommitted cancel) is not
 * chased: the next refresh looks again.
 *
 * <p>All decisions are in {@link #step()} on the injected clock, so tests drive it with a mutable
 * clock; the thread only waits in real time (at most {@code refreshInterval} at a time, so a
 * mutable clock moved by hand is noticed). Thread-safe.
 */
final class WakeTimer implements AutoCloseable {

  /** Shortest gap between two sweeps of this timer: batches the due messages of a few ms. */
  static final Duration MIN_GAP = Duration.ofMillis(5);

  /** First re-sweep after a nudged due time passed (the scheduling transaction may not be done). */
  static final Duration FIRST_RECHECK = Duration.ofMillis(2);

  private static final Logger log = LoggerFactory.getLogger(WakeTimer.class);
  private static final long FAILURE_LOG_EVERY = 100;

  private final Sweeper sweeper;
  private final Clock clock;
  private final Duration refreshInterval;
  private final String threadName;
  private final Object lock = new Object();

  // guarded by lock
  private Instant knownDue;
  private Instant nudgedDue;
  private Instant recheckAt;
  private Duration recheckDelay;
  private Instant lastSweep;
  private Instant nextRefresh = Instant.MIN;
  private long consecutiveFailures;

  private volatile Thread thread;
  private volatile boolean closed;

  /**
   * A timer sweeping through {@code sweeper}, reading the table's next due time every {@code
   * refreshInterval}; its thread is named {@code threadName}.
   */
  WakeTimer(Sweeper sweeper, Clock clock, Duration refreshInterval, String threadName) {
    this.sweeper = sweeper;
    this.clock = clock;
    this.refreshInterval = refreshInterval;
    this.threadName = threadName;
  }

  /**
   * A transaction of this JVM scheduled a message due at {@code due}: wake up then at the latest.
   */
  void nudge(Instant due) {
    boolean earlier;
    synchronized (lock) {
      earlier = nudgedDue == null || due.isBefore(nudgedDue);
      if (earlier) {
        nudgedDue = due;
      }
    }
    Thread running = thread;
    if (earlier && running != null) {
      LockSupport.unpark(running);
    }
  }

  /** Starts the thread. */
  synchronized void start() {
    if (thread != null || closed) {
      return;
    }
    Thread t = new Thread(this::run, threadName);
    t.setDaemon(true);
    thread = t;
    t.start();
  }

  /** Stops the thread and waits for it (a running sweep ends after its batch once closed). */
  @Override
  public void close() {
    closed = true;
    Thread t;
    synchronized (this) {
      t = thread;
    }
    if (t == null || t == Thread.currentThread()) {
      return;
    }
    LockSupport.unpark(t);
    boolean interrupted = false;
    while (t.isAlive()) {
      try {
        t.join(TimeUnit.SECONDS.toMillis(30));
        break;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Does what is due at the clock's current time: a sweep when a known or nudged due time (or a
   * re-check) has been reached, a read of the table's next due time when a sweep ran or the refresh
   * interval passed.
   *
   * @return what the sweep did, {@link SweepResult#NOTHING_DUE} when none ran
   */
  SweepResult step() {
    Instant now = clock.instant();
    boolean sweep;
    boolean refresh;
    synchronized (lock) {
      boolean due = reached(knownDue, now) || reached(nudgedDue, now) || reached(recheckAt, now);
      sweep = due && (lastSweep == null || !now.isBefore(lastSweep.plus(MIN_GAP)));
      refresh = sweep || !now.isBefore(nextRefresh);
      if (sweep) {
        lastSweep = now;
        if (reached(nudgedDue, now)) {
          nudgedDue = null;
          recheckDelay = FIRST_RECHECK;
          recheckAt = now.plus(recheckDelay);
        } else if (reached(recheckAt, now)) {
          recheckDelay = recheckDelay.multipliedBy(2);
          recheckAt = recheckDelay.compareTo(refreshInterval) > 0 ? null : now.plus(recheckDelay);
        }
      }
    }
    SweepResult result = sweep ? sweeper.sweepInBackground() : SweepResult.NOTHING_DUE;
    if (refresh) {
      refresh(now, sweep);
    }
    return result;
  }

  /** When {@link #step()} has something to do next, on the injected clock. */
  Instant nextWakeUp() {
    synchronized (lock) {
      Instant sweepAt = earliest(earliest(knownDue, nudgedDue), recheckAt);
      if (sweepAt != null && lastSweep != null && sweepAt.isBefore(lastSweep.plus(MIN_GAP))) {
        sweepAt = lastSweep.plus(MIN_GAP);
      }
      return earliest(sweepAt, nextRefresh);
    }
  }

  private void refresh(Instant now, boolean swept) {
    Instant next;
    try {
      next = sweeper.nextDue();
    } catch (RuntimeException e) {
      long failures;
      synchronized (lock) {
        knownDue = null;
        nextRefresh = now.plus(refreshInterval);
        failures = ++consecutiveFailures;
      }
      if (failures == 1 || failures % FAILURE_LOG_EVERY == 0) {
        log.warn(
            "could not read the next due time of delayed messages ({} in a row); the Quartz"
                + " sweep still runs: {}",
            failures,
            e.toString());
      } else {
        log.debug("could not read the next due time ({} in a row)", failures, e);
      }
      return;
    }
    synchronized (lock) {
      consecutiveFailures = 0;
      // A row the sweep just left although due is held by another transaction: do not spin on it.
      knownDue = swept && next != null && !next.isAfter(now) ? null : next;
      nextRefresh = now.plus(refreshInterval);
    }
  }

  private void run() {
    while (!closed) {
      try {
        step();
      } catch (Throwable t) {
        log.warn("the delay wake-up timer failed; it goes on", t);
        synchronized (lock) {
          nextRefresh = clock.instant().plus(refreshInterval);
        }
      }
      if (closed) {
        return;
      }
      Duration wait = Duration.between(clock.instant(), nextWakeUp());
      long waitNanos =
          wait.isNegative()
              ? 0
              : wait.compareTo(refreshInterval) > 0 ? refreshInterval.toNanos() : wait.toNanos();
      if (waitNanos > 0) {
        LockSupport.parkNanos(this, waitNanos);
      }
    }
  }

  private static boolean reached(Instant at, Instant now) {
    return at != null && !now.isBefore(at);
  }

  private static Instant earliest(Instant a, Instant b) {
    if (a == null) {
      return b;
    }
    if (b == null) {
      return a;
    }
    return a.isBefore(b) ? a : b;
  }
}
