package dev.outpost.outbox.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** The writer's Micrometer counters; only loaded when the user passed a registry. */
public final class MicrometerWriterMeters implements WriterMeters {

  /** Messages inserted in callers' transactions, whether they commit or not. */
  public static final String WRITTEN = "outpost.outbox.written";

  /** Inserts the database rejected or did not answer. */
  public static final String FAILURES = "outpost.outbox.write.failures";

  private final Counter written;
  private final Counter failures;

  /** Counters registered in {@code registry}. */
  public MicrometerWriterMeters(MeterRegistry registry) {
    this.written =
        Counter.builder(WRITTEN)
            .description("Messages inserted into the outbox in callers' transactions")
            .register(registry);
    this.failures =
        Counter.builder(FAILURES)
            .description("Outbox inserts the database rejected or did not answer")
            .register(registry);
  }

  @Override
  public void written(int messages) {
    written.increment(messages);
  }

  @Override
  public void failed() {
    failures.increment();
  }
}
