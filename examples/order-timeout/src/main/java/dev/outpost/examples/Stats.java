package dev.outpost.examples;

import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;

/** Counters of one app run, for the progress lines and the simulation report. Thread-safe. */
final class Stats {

  final LongAdder placed = new LongAdder();
  final LongAdder outOfStock = new LongAdder();
  final LongAdder payAttempts = new LongAdder();
  final LongAdder payTooLate = new LongAdder();
  final LongAdder timeoutsCancelled = new LongAdder();
  final LongAdder timeoutsAlreadyDue = new LongAdder();
  final LongAdder timeoutsAfterPayment = new LongAdder();
  final LongAdder published = new LongAdder();
  final LongAdder duplicatesInjected = new LongAdder();
  final LongAdder unknownOrders = new LongAdder();

  private long[] latenessMillis = new long[1024];
  private int latenessCount;

  /** Records how long after its due time a timeout was handled. */
  synchronized void recordLateness(long millis) {
    if (latenessCount == latenessMillis.length) {
      latenessMillis = Arrays.copyOf(latenessMillis, latenessCount * 2);
    }
    latenessMillis[latenessCount++] = millis;
  }

  /** Lateness percentiles in milliseconds: {@code [count, min, p50, p99, max]}. */
  synchronized long[] lateness() {
    if (latenessCount == 0) {
      return new long[] {0, 0, 0, 0, 0};
    }
    long[] sorted = Arrays.copyOf(latenessMillis, latenessCount);
    Arrays.sort(sorted);
    return new long[] {
      latenessCount,
      sorted[0],
      percentile(sorted, 0.50),
      percentile(sorted, 0.99),
      sorted[sorted.length - 1]
    };
  }

  private static long percentile(long[] sorted, double p) {
    int index = (int) Math.ceil(p * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
  }
}
