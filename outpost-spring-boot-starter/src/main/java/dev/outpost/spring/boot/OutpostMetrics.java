package dev.outpost.spring.boot;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupPurger;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.outbox.Outbox;
import dev.outpost.relay.Relay;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;

/**
 * Hands Boot's {@link MeterRegistry} to Outpost's builders. A bean only when Micrometer is on the
 * class path, so the rest of the auto-configuration never touches Micrometer's types.
 */
public final class OutpostMetrics {

  private final ObjectProvider<MeterRegistry> registry;

  /** Binds to the unique registry of {@code registry}, if any. */
  public OutpostMetrics(ObjectProvider<MeterRegistry> registry) {
    this.registry = registry;
  }

  void bind(Relay.Builder relay) {
    MeterRegistry r = registry.getIfUnique();
    if (r != null) {
      relay.meterRegistry(r);
    }
  }

  void bind(DelayScheduler.Builder delay) {
    MeterRegistry r = registry.getIfUnique();
    if (r != null) {
      delay.meterRegistry(r);
    }
  }

  void bind(Outbox.Builder outbox) {
    MeterRegistry r = registry.getIfUnique();
    if (r != null) {
      outbox.meterRegistry(r);
    }
  }

  void bind(DedupPurger.Builder purger) {
    MeterRegistry r = registry.getIfUnique();
    if (r != null) {
      purger.meterRegistry(r);
    }
  }

  void bind(Dedup.Builder dedup) {
    MeterRegistry r = registry.getIfUnique();
    if (r != null) {
      dedup.meterRegistry(r);
    }
  }
}
