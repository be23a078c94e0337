package dev.outpost.relay.internal;

import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * What the relay reports. Implemented by Micrometer only when a registry was configured, so the
 * relay runs without Micrometer on the classpath. Thread-safe.
 */
interface RelayMetrics {

  RelayMetrics NONE = new RelayMetrics() {};

  /**
   * Metrics for {@code registry} (a Micrometer MeterRegistry, or null for none). The Micrometer
   * implementation class is only loaded when a registry is given.
   */
  static RelayMetrics create(
      MeterRegistry registry,
      String schema,
      IntSupplier ownedPartitions,
      BooleanSupplier breakerOpen) {
    return registry == null
        ? NONE
        : MicrometerRelayMetrics.create(registry, schema, ownedPartitions, breakerOpen);
  }

  default boolean enabled() {
    return false;
  }

  default void published(String topic, int messages) {}

  default void failed(String topic, int messages) {}

  default void deadLettered(String topic, int messages) {}

  /** Confirmed after earlier failed attempts. */
  default void recovered(String topic, int messages) {}

  /** The destination went unavailable ("down") or answered again ("up"). */
  default void breakerTransition(String transition) {}

  /** A batch or cycle failed unexpectedly (database error, an Error thrown). */
  default void cycleFailed() {}

  default void batch(Duration duration) {}

  default void leaseChanges(String change, int partitions) {}

  default void backlog(long messages, Duration oldestAge) {}
}
