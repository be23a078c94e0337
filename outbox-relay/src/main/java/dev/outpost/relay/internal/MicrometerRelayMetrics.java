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
import java.util.function.IntSupplier;

/** {@link RelayMetrics} on Micrometer. Only loaded when a registry is configured. */
final class MicrometerRelayMetrics implements RelayMetrics {

  private final MeterRegistry registry;
  private final Tags tags;
  private final Map<String, Counter> counters = new ConcurrentHashMap<>();
  private final Timer batchTimer;
  private final AtomicLong backlog = new AtomicLong();
  private final AtomicLong oldestAgeMillis = new AtomicLong();

  private MicrometerRelayMetrics(MeterRegistry registry, String schema, IntSupplier owned) {
    this.registry = registry;
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
        .register(registry);
    Gauge.builder("outpost.relay.oldest.age", oldestAgeMillis, a -> a.get() / 1000.0)
        .description("Age of the oldest waiting message")
        .baseUnit("seconds")
        .tags(tags)
        .register(registry);
    Gauge.builder("outpost.relay.partitions.owned", owned, IntSupplier::getAsInt)
        .description("Partitions this relay holds a lease on")
        .tags(tags)
        .register(registry);
  }

  static RelayMetrics create(Object registry, String schema, IntSupplier owned) {
    return new MicrometerRelayMetrics((MeterRegistry) registry, schema, owned);
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
