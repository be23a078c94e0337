package dev.outpost.relay.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * The relay's circuit breaker for its publisher's destination. Closed: partitions publish. Open
 * (after a {@code PublishResult.Unavailable}): no partition publishes; every probe interval one
 * partition at a time may probe, and a probe that gets an answer closes it. Time comes in as
 * arguments (the relay reads its clock), so the logic is tested with a mutable clock.
 *
 * <p>Thread-safe.
 */
final class CircuitBreaker {

  /** What a caller may do now. */
  enum Permit {
    /** Closed: publish normally. */
    PUBLISH,
    /** Open and a probe is due: this caller probes and must report the outcome. */
    PROBE,
    /** Open, not this caller's turn: wait {@link #untilNextProbe(Instant)}. */
    WAIT
  }

  /**
   * A snapshot.
   *
   * @param open whether publishing is paused
   * @param since when it opened, or null when closed
   * @param cause why it opened (the latest failed probe), or null when closed
   * @param probes probes made since it opened
   */
  record Snapshot(boolean open, Instant since, Throwable cause, long probes) {}

  private final Duration probeInterval;

  /** A probe that never reports (its thread died) blocks others at most this long. */
  private final Duration probeLease;

  private boolean open;
  private Instant since;
  private Throwable cause;
  private Instant nextProbeAt;
  private Instant probeStartedAt;
  private long probes;

  CircuitBreaker(Duration probeInterval, Duration probeTimeout) {
    this.probeInterval = probeInterval;
    this.probeLease = probeTimeout.plus(probeInterval).multipliedBy(2);
  }

  /** What the caller may do at {@code now}. */
  synchronized Permit permit(Instant now) {
    if (!open) {
      return Permit.PUBLISH;
    }
    if (probeStartedAt != null && now.isBefore(probeStartedAt.plus(probeLease))) {
      return Permit.WAIT;
    }
    if (now.isBefore(nextProbeAt)) {
      return Permit.WAIT;
    }
    probeStartedAt = now;
    probes++;
    return Permit.PROBE;
  }

  /**
   * The destination was found unavailable at {@code now} (by a batch or a probe); {@code why} may
   * be null to keep the cause already known.
   *
   * @return whether this call opened the breaker (it was closed)
   */
  synchronized boolean unavailable(Instant now, Throwable why) {
    boolean opened = !open;
    if (opened) {
      open = true;
      since = now;
      probes = 0;
    }
    cause = why != null || cause == null ? why : cause;
    probeStartedAt = null;
    nextProbeAt = now.plus(probeInterval);
    return opened;
  }

  /**
   * The destination answered at {@code now}.
   *
   * @return how long it was open, or null if it was closed
   */
  synchronized Duration available(Instant now) {
    if (!open) {
      return null;
    }
    Duration down = Duration.between(since, now);
    open = false;
    since = null;
    cause = null;
    nextProbeAt = null;
    probeStartedAt = null;
    return down.isNegative() ? Duration.ZERO : down;
  }

  /** A probe ended without an answer either way (e.g. nothing to publish): others may probe now. */
  synchronized void probeInconclusive() {
    probeStartedAt = null;
  }

  /** How long until a probe may be due; at least 1 ms, zero when closed. */
  synchronized Duration untilNextProbe(Instant now) {
    if (!open) {
      return Duration.ZERO;
    }
    if (probeStartedAt != null) {
      return probeInterval;
    }
    Duration wait = Duration.between(now, nextProbeAt);
    return wait.compareTo(Duration.ofMillis(1)) < 0 ? Duration.ofMillis(1) : wait;
  }

  /** Whether publishing is paused. */
  synchronized boolean isOpen() {
    return open;
  }

  synchronized Snapshot snapshot() {
    return new Snapshot(open, since, cause, probes);
  }
}
