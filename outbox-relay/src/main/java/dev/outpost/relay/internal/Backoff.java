package dev.outpost.relay.internal;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retry delays: {@code min(max, base * 2^(n-1)) * (1 - jitter * r)} after the n-th failed attempt,
 * with {@code r} uniform in [0, 1). Taking jitter off (never adding) keeps every delay within
 * {@code max}. Thread-safe.
 */
public final class Backoff {

  private final double baseNanos;
  private final double maxNanos;
  private final double jitter;
  private final Random random;

  /** Delays from {@code base} doubling up to {@code max}; {@code random} null for a default. */
  public Backoff(Duration base, Duration max, double jitter, Random random) {
    this.baseNanos = base.toNanos();
    this.maxNanos = max.toNanos();
    this.jitter = jitter;
    this.random = random;
  }

  /** The delay before the next attempt after {@code failedAttempts} (at least 1) failures. */
  public Duration delayAfter(int failedAttempts) {
    int exponent = Math.max(0, Math.min(failedAttempts - 1, 1000));
    double delay = Math.min(maxNanos, baseNanos * Math.pow(2, exponent));
    double r = random == null ? ThreadLocalRandom.current().nextDouble() : random.nextDouble();
    return Duration.ofNanos((long) (delay * (1 - jitter * r)));
  }
}
