package dev.outpost.delay.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/** Micrometer meters of one schema's sweep; only loaded when the user passed a registry. */
public final class MicrometerDelayMetrics implements DelayMetrics {

  static final String MOVED = "outpost.delay.moved";
  static final String DUPLICATES = "outpost.delay.duplicates";
  static final String LATENESS = "outpost.delay.lateness";
  static final String SWEEP_FAILURES = "outpost.delay.sweep.failures";

  private final Counter moved;
  private final Counter duplicates;
  private final Timer lateness;
  private final Counter failures;

  private MicrometerDelayMetrics(MeterRegistry registry, String schema) {
    this.moved =
        Counter.builder(MOVED)
            .description("Delayed messages moved into the outbox")
            .tag("schema", schema)
            .register(registry);
    this.duplicates =
        Counter.builder(DUPLICATES)
            .description("Due messages dropped because their message id was already in the outbox")
            .tag("schema", schema)
            .register(registry);
    this.lateness =
        Timer.builder(LATENESS)
            .description(
                "Per moved batch: how long its oldest message had been due when it reached the"
                    + " outbox")
            .tag("schema", schema)
            .register(registry);
    this.failures =
        Counter.builder(SWEEP_FAILURES)
            .description("Sweeps that failed and were left to the next fire")
            .tag("schema", schema)
            .register(registry);
  }

  /** Meters registering into {@code registry}, tagged with {@code schema}. */
  public static DelayMetrics create(MeterRegistry registry, String schema) {
    return new MicrometerDelayMetrics(registry, schema);
  }

  @Override
  public void batchMoved(long movedRows, long duplicateRows, Duration oldestLateness) {
    moved.increment(movedRows);
    if (duplicateRows > 0) {
      duplicates.increment(duplicateRows);
    }
    if (movedRows + duplicateRows > 0) {
      lateness.record(oldestLateness);
    }
  }

  @Override
  public void sweepFailed() {
    failures.increment();
  }
}
