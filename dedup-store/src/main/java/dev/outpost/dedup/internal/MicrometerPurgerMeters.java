package dev.outpost.dedup.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.IntConsumer;

/** The purger's Micrometer counters; only loaded when the user passed a registry. */
public final class MicrometerPurgerMeters {

  /** Dedup keys deleted by the retention purge. */
  public static final String PURGED = "outpost.dedup.purged";

  /** Purge runs that failed (and are retried at the next interval). */
  public static final String FAILURES = "outpost.dedup.purge.failures";

  private final Counter purged;
  private final Counter failures;

  /** Counters registered in {@code registry}. */
  public MicrometerPurgerMeters(MeterRegistry registry) {
    this.purged =
        Counter.builder(PURGED)
            .description("Dedup keys deleted by the retention purge")
            .register(registry);
    this.failures =
        Counter.builder(FAILURES)
            .description("Dedup purge runs that failed; retried at the next interval")
            .register(registry);
  }

  /** Counts the keys of each committed batch. */
  public IntConsumer purged() {
    return purged::increment;
  }

  /** Counts a failed run. */
  public Runnable failed() {
    return failures::increment;
  }
}
