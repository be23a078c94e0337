package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.Outbox;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class MetricsTest {

  @Test
  void counts_published_failed_and_dead_lettered_messages_by_topic(TestDatabase db) {
    Messages messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
    messages.send("orders", "ok", "1");
    messages.send("orders", "ok", "2");
    messages.send("payments", "flaky", "3");
    messages.send("payments", "poison", "4");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RecordingPublisher publisher = new RecordingPublisher().failKey("flaky", 1).rejectKey("poison");

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(1)
            .listen(false)
            .clock(MutableClock.atSystemTime())
            .meterRegistry(registry)
            .build()) {
      relay.runOnce();

      assertThat(registry.get("outpost.relay.published").tag("topic", "orders").counter().count())
          .isEqualTo(2);
      assertThat(registry.get("outpost.relay.failed").tag("topic", "payments").counter().count())
          .isEqualTo(1);
      assertThat(
              registry
                  .get("outpost.relay.dead_lettered")
                  .tag("topic", "payments")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("outpost.relay.batch.duration").timer().count()).isEqualTo(1);
      assertThat(
              registry
                  .get("outpost.relay.lease.changes")
                  .tag("change", "acquired")
                  .counter()
                  .count())
          .isEqualTo(1);
      assertThat(registry.get("outpost.relay.partitions.owned").gauge().value()).isEqualTo(1);
      // Gauges hold their suppliers strongly: still readable after garbage collections.
      for (int i = 0; i < 3; i++) {
        System.gc();
      }
      assertThat(registry.get("outpost.relay.partitions.owned").gauge().value()).isEqualTo(1);
      assertThat(registry.get("outpost.relay.breaker.open").gauge().value()).isZero();
      assertThat(registry.get("outpost.relay.backlog").tag("schema", "public").gauge().value())
          .isEqualTo(1);
      assertThat(registry.get("outpost.relay.oldest.age").gauge().value())
          .isGreaterThanOrEqualTo(0);
    }
    assertThat(
            registry.get("outpost.relay.lease.changes").tag("change", "released").counter().count())
        .isEqualTo(1);
  }

  @Test
  void reports_the_breaker_and_recovered_messages(TestDatabase db) {
    Messages messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
    messages.send("orders", "k", "1");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RecordingPublisher publisher = new RecordingPublisher().probeSupported(true).down();
    MutableClock clock = MutableClock.atSystemTime();

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(1)
            .listen(false)
            .clock(clock)
            .meterRegistry(registry)
            .build()) {
      relay.runOnce();
      assertThat(registry.get("outpost.relay.breaker.open").gauge().value()).isEqualTo(1);
      assertThat(
              registry
                  .get("outpost.relay.breaker.transitions")
                  .tag("transition", "down")
                  .counter()
                  .count())
          .isEqualTo(1);

      publisher.up().failKey("k", 1);
      clock.advance(Duration.ofSeconds(1));
      relay.runOnce();
      assertThat(registry.get("outpost.relay.breaker.open").gauge().value()).isZero();
      assertThat(registry.get("outpost.relay.failed").tag("topic", "orders").counter().count())
          .isEqualTo(1);
      clock.advance(Duration.ofSeconds(1));
      relay.runOnce();
      assertThat(registry.get("outpost.relay.recovered").tag("topic", "orders").counter().count())
          .isEqualTo(1);
    }
  }
}
