package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.relay.testing.RecordingPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

class RelayConfigTest {

  private static final DataSource DATA_SOURCE = new PGSimpleDataSource();

  private static Relay.Builder valid() {
    return Relay.builder().dataSource(DATA_SOURCE).publisher(new RecordingPublisher());
  }

  private static void rejects(UnaryOperator<Relay.Builder> change, String... expected) {
    assertThatThrownBy(() -> change.apply(valid()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContainingAll(expected);
  }

  @Test
  void defaults_are_the_documented_constants() {
    RelayConfig config = valid().config();

    assertThat(config.schema()).isEqualTo("public");
    assertThat(config.partitions()).isEqualTo(16);
    assertThat(config.batchSize()).isEqualTo(500);
    assertThat(config.pollInterval()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10).dividedBy(3));
    assertThat(config.backoffBase()).isEqualTo(Duration.ofSeconds(1));
    assertThat(config.backoffMax()).isEqualTo(Duration.ofMinutes(5));
    assertThat(config.backoffJitter()).isEqualTo(0.2);
    assertThat(config.maxAttempts()).isEqualTo(10);
    assertThat(config.parkKeyOnDeadLetter()).isTrue();
    assertThat(config.publishTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.rateLimitPerSecond()).isZero();
    assertThat(config.threads()).isEqualTo(4);
    assertThat(config.instanceId()).contains("-" + ProcessHandle.current().pid() + "-");
    assertThat(config.clock()).isEqualTo(Clock.systemUTC());
    assertThat(config.meterRegistry()).isNull();
    assertThat(config.listen()).isTrue();
    assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.closePublisher()).isFalse();
  }

  @Test
  void rejects_a_batch_size_of_zero_naming_the_field_and_range() {
    rejects(b -> b.batchSize(0), "batchSize is 0", "1..10000");
  }

  @Test
  void rejects_missing_data_source_and_publisher() {
    assertThatThrownBy(() -> Relay.builder().publisher(new RecordingPublisher()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataSource must be set");
    assertThatThrownBy(() -> Relay.builder().dataSource(DATA_SOURCE).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("publisher must be set");
  }

  @Test
  void rejects_out_of_range_values() {
    rejects(b -> b.partitions(0), "partitions is 0", "1..1024");
    rejects(b -> b.partitions(5000), "partitions is 5000");
    rejects(b -> b.maxAttempts(0), "maxAttempts is 0");
    rejects(b -> b.threads(0), "threads is 0");
    rejects(b -> b.rateLimitPerSecond(-1), "rateLimitPerSecond is -1");
    rejects(b -> b.backoffJitter(1.5), "backoffJitter is 1.5", "0.0..1.0");
    rejects(b -> b.pollInterval(Duration.ZERO), "pollInterval is PT0S");
    rejects(b -> b.pollInterval(null), "pollInterval must not be null");
    rejects(b -> b.leaseDuration(Duration.ofMillis(10)), "leaseDuration is PT0.01S");
    rejects(
        b -> b.leaseDuration(Duration.ofSeconds(2)).heartbeatInterval(Duration.ofSeconds(2)),
        "heartbeatInterval is PT2S",
        "PT1S");
    rejects(
        b -> b.backoffBase(Duration.ofSeconds(10)).backoffMax(Duration.ofSeconds(1)),
        "backoffMax is PT1S",
        "PT10S..");
    rejects(b -> b.instanceId(" "), "instanceId");
    rejects(b -> b.clock(null), "clock must not be null");
    rejects(b -> b.schema("Bad Schema"), "schema is 'Bad Schema'");
  }

  @Test
  void rejects_a_meter_registry_that_is_not_one() {
    rejects(b -> b.meterRegistry("registry"), "meterRegistry is a java.lang.String");
  }

  @Test
  void build_starts_no_threads() {
    long before = outpostThreads();

    Relay relay = valid().build();

    assertThat(outpostThreads()).isEqualTo(before);
    relay.close();
  }

  private static long outpostThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().startsWith("outpost-relay"))
        .count();
  }
}
