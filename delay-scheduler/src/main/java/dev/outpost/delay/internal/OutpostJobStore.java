package dev.outpost.delay.internal;

import org.quartz.impl.jdbcjobstore.JobStoreTX;
import org.quartz.impl.jdbcjobstore.SchedulerStateRecord;

/**
 * Quartz's {@link JobStoreTX} with a configurable failure grace. Quartz declares a cluster node
 * dead only 7.5 s (hard-coded) after its check-in interval has passed without a check-in, so a
 * killed node held the sweep trigger for 15 s and more. Here the grace is {@code
 * org.quartz.jobStore.clusterFailureGrace} (milliseconds, default {@value
 * #DEFAULT_FAILURE_GRACE_MS}); with Outpost's check-in interval of {@value
 * QuartzAdapter#DEFAULT_CHECKIN_INTERVAL_MS} ms a crashed node is declared dead, and its sweep
 * recovered, about 3 s after the crash.
 *
 * <p>A node whose check-in is late by more than interval plus grace (a long GC pause, an overloaded
 * database) is recovered while alive: for one sweep two nodes may then sweep at once, which moves
 * each message still once (the move deletes what it inserts, skipping locked rows). Public with a
 * no-argument constructor for Quartz.
 */
public class OutpostJobStore extends JobStoreTX {

  /** Default grace after a missed check-in before a node counts as dead, in milliseconds. */
  public static final long DEFAULT_FAILURE_GRACE_MS = 1_500;

  private long clusterFailureGrace = DEFAULT_FAILURE_GRACE_MS;

  /** For Quartz. */
  public OutpostJobStore() {}

  /** Set by Quartz from {@code org.quartz.jobStore.clusterFailureGrace}. */
  public void setClusterFailureGrace(long millis) {
    if (millis < 0) {
      throw new IllegalArgumentException(
          "org.quartz.jobStore.clusterFailureGrace must be >= 0 ms, was " + millis);
    }
    this.clusterFailureGrace = millis;
  }

  /** The grace in milliseconds. */
  public long getClusterFailureGrace() {
    return clusterFailureGrace;
  }

  @Override
  protected long calcFailedIfAfter(SchedulerStateRecord rec) {
    // As Quartz, but with the configurable grace instead of its fixed 7,500 ms.
    return rec.getCheckinTimestamp()
        + Math.max(rec.getCheckinInterval(), System.currentTimeMillis() - lastCheckin)
        + clusterFailureGrace;
  }
}
