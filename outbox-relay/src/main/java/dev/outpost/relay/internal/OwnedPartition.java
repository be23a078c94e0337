package dev.outpost.relay.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A partition this relay holds a lease on, with its scheduling state. The lease token never changes
 * (a re-acquired partition is a new object); expiry moves with each renewal.
 */
final class OwnedPartition {

  final LeaseToken lease;
  volatile Instant expiresAt;

  /** The lease keeper wants it given up (surplus or shutdown) after the running batch. */
  volatile boolean releaseRequested;

  /** Lost or released: no more batches. */
  volatile boolean stopped;

  /** Submitted to or running on a worker; at most one batch per partition at a time. */
  final AtomicBoolean queued = new AtomicBoolean();

  /** Woken while queued: run again right after. */
  volatile boolean rerun;

  /** A batch is being processed right now. */
  volatile boolean running;

  volatile ScheduledFuture<?> nextPoll;

  /** Since when batches fail unexpectedly (logged once per outage, not once per poll), or null. */
  volatile Instant failingSince;

  /** The last unexpected failure, for health. */
  volatile String lastError;

  /**
   * Polling relays: how long after an empty poll the next one runs (nanoseconds); reset to the fast
   * interval by work or a nudge, doubled by each empty poll up to the poll interval.
   */
  volatile long idleDelayNanos;

  /** When the current (or last) batch started. */
  volatile Instant batchStartedAt;

  OwnedPartition(LeaseToken lease, Instant expiresAt) {
    this.lease = lease;
    this.expiresAt = expiresAt;
  }

  int partition() {
    return lease.partition();
  }

  /**
   * Whether a batch may start at {@code now}: the lease must outlast the safety margin, so a relay
   * whose renewals stall stops publishing before another relay can take the partition.
   */
  boolean usable(Instant now, Duration margin) {
    return !stopped && !releaseRequested && now.plus(margin).isBefore(expiresAt);
  }
}
