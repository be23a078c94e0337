package dev.outpost.relay.internal;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/** {@link RelayMetrics} on Micrometer. Only loaded when a registry is configured. */
final class MicrometerRelayMetrics implements RelayMetrics {

  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer batchTimer;
  private final AtomicLong backlog = new AtomicLong();
  private final AtomicLong oldestAgeMillis = new AtomicLong();

  // Held here (and strongly by the gauges): Micrometer keeps a gauge's object only weakly, so a
  // supplier referenced by nothing else reads NaN after a garbage collection.
  private final IntSupplier owned;
  private final BooleanSupplier breakerOpen;

  private MicrometerRelayMetrics(
      MeterRegistry registry, String schema, IntSupplier owned, BooleanSupplier breakerOpen) {
    this.registry = registry;
    this.owned = owned;
    this.breakerOpen = breakerOpen;
    this.tags = Tags.of("schema", schema);
    this.batchTimer =
        Timer.builder("outpost.relay.batch.duration")
            .description("Time to publish one partition batch and record its outcome")
            .tags(tags)
            .register(registry);
    Gauge.builder("outpost.relay.backlog", backlog, AtomicLong::get)
        .description("Messages waiting in the outbox")
        .baseUnit("messages")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder("outpost.relay.oldest.age", oldestAgeMillis, a -> a.get() / 1000.0)
        .description("Age of the oldest waiting message")
        .baseUnit("seconds")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder("outpost.relay.partitions.owned", this.owned, IntSupplier::getAsInt)
        .description("Partitions this relay holds a lease on")
        .tags(tags)
        .strongReference(true)
        .register(registry);
    Gauge.builder("outpost.relay.breaker.open", this.breakerOpen, b -> b.getAsBoolean() ? 1.0 : 0.0)
        .description(
            "1 while the publisher's destination is unavailable and publishing is paused, else 0")
        .tags(tags)
        .strongReference(true)
        .register(registry);
  }

  static RelayMetrics create(
      MeterRegistry registry, String schema, IntSupplier owned, BooleanSupplier breakerOpen) {
    return new MicrometerRelayMetrics(registry, schema, owned, breakerOpen);
  }

  @Override
  public boolean enabled() {
    return true;
  }

  @Override
  public void published(String topic, int messages) {
    counter("outpost.relay.published", "topic", topic).increment(messages);
  }

  @Override
  public void failed(String topic, int messages) {
    counter("outpost.relay.failed", "topic", topic).increment(messages);
  }

  @Override
  public void deadLettered(String topic, int messages) {
    counter("outpost.relay.dead_lettered", "topic", topic).increment(messages);
  }

  @Override
  public void recovered(String topic, int messages) {
    counter("outpost.relay.recovered", "topic", topic).increment(messages);
  }

  @Override
  public void breakerTransition(String transition) {
    counter("outpost.relay.breaker.transitions", "transition", transition).increment();
  }

  @Override
  public void cycleFailed() {
    counter("outpost.relay.cycle.failures", "kind", "unexpected").increment();
  }

  @Override
  public void batch(Duration duration) {
    batchTimer.record(duration);
  }

  @Override
  public void leaseChanges(String change, int partitions) {
    counter("outpost.relay.lease.changes", "change", change).increment(partitions);
  }

  @Override
  public void backlog(long messages, Duration oldestAge) {
    backlog.set(messages);
    oldestAgeMillis.set(oldestAge == null ? 0 : oldestAge.toMillis());
  }

  private Counter counter(String name, String tag, String value) {
    return counters.computeIfAbsent(
        name + '\u0000' + value,
        k -> Counter.builder(name).tags(tags).tag(tag, value).register(registry));
  }
}
