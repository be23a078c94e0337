package dev.outpost.delay.internal;

import java.time.Duration;

/** Where the sweep reports what it did; {@link #NONE} when no meter registry was given. */
public interface DelayMetrics {

  /** Metrics that go nowhere. */
  DelayMetrics NONE =
      new DelayMetrics() {
        @Override
        public void batchMoved(long moved, long duplicates, Duration oldestLateness) {}

        @Override
        public void sweepFailed() {}
      };

  /**
   * One committed batch: {@code moved} rows now in the outbox, {@code duplicates} dropped because
   * their message id was already there, and how long its oldest row had been due.
   */
  void batchMoved(long moved, long duplicates, Duration oldestLateness);

  /** A sweep run by Quartz failed (it is retried with the next fire). */
  void sweepFailed();
}
