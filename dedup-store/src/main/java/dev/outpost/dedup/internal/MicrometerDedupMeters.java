package dev.outpost.dedup.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Micrometer counters per consumer; only loaded when the user passed a registry. */
public final class MicrometerDedupMeters implements DedupMeters {

  static final String PROCESSED = "outpost.dedup.processed";
  static final String DUPLICATES = "outpost.dedup.duplicates";

  private final MeterRegistry registry;

  private MicrometerDedupMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Meters registering into {@code registry}. */
  public static DedupMeters create(MeterRegistry registry) {
    return new MicrometerDedupMeters(registry);
  }

  @Override
  public Increments forConsumer(String consumer) {
    Counter processed =
        Counter.builder(PROCESSED)
            .description("Messages whose work ran through the dedup store")
            .tag("consumer", consumer)
            .register(registry);
    Counter duplicates =
        Counter.builder(DUPLICATES)
            .description("Duplicate messages skipped by the dedup store")
            .tag("consumer", consumer)
            .register(registry);
    return new Increments(processed::increment, duplicates::increment);
  }
}
