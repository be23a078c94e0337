package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.Channel;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The consumers' public configuration records and their validation; no broker, no database. */
class DedupConsumerConfigTest {

  private static final Duration SECOND = Duration.ofSeconds(1);

  private static KafkaDedupConsumerConfig kafka(List<String> topics, String name) {
    return new KafkaDedupConsumerConfig(topics, name, SECOND, SECOND, SECOND, SECOND, SECOND);
  }

  private static RabbitMqDedupConsumerConfig rabbit(int maxRedeliveries, int prefetch) {
    return new RabbitMqDedupConsumerConfig(
        "q", "inventory", maxRedeliveries, prefetch, SECOND, SECOND);
  }

  @Test
  void the_kafka_builder_makes_a_config_of_its_defaults_and_the_consumer_reports_it() {
    KafkaDedupConsumerConfig expected =
        new KafkaDedupConsumerConfig(
            List.of("orders"),
            "inventory",
            KafkaDedupConsumer.DEFAULT_POLL_TIMEOUT,
            KafkaDedupConsumer.DEFAULT_RETRY_BACKOFF,
            KafkaDedupConsumer.DEFAULT_MAX_RETRY_BACKOFF,
            KafkaDedupConsumer.DEFAULT_COMMIT_TIMEOUT,
            KafkaDedupConsumer.DEFAULT_CLOSE_TIMEOUT);
    KafkaDedupConsumer.Builder<String, String> builder = kafkaBuilder();
    assertThat(builder.config()).isEqualTo(expected);
    try (KafkaDedupConsumer<String, String> consumer = builder.build()) {
      assertThat(consumer.config()).isEqualTo(expected);
    }
  }

  @Test
  void the_rabbitmq_builder_makes_a_config_of_its_defaults_and_the_consumer_reports_it() {
    RabbitMqDedupConsumerConfig expected =
        new RabbitMqDedupConsumerConfig(
            "inventory.orders",
            "inventory",
            RabbitMqDedupConsumer.DEFAULT_MAX_REDELIVERIES,
            RabbitMqDedupConsumer.DEFAULT_PREFETCH,
            RabbitMqDedupConsumer.DEFAULT_RETRY_DELAY,
            RabbitMqDedupConsumer.DEFAULT_CLOSE_TIMEOUT);
    RabbitMqDedupConsumer.Builder builder =
        RabbitMqDedupConsumer.builder()
            .channel(unusedChannel())
            .queue("inventory.orders")
            .consumerName("inventory")
            .dataSource(new PGSimpleDataSource())
            .jdbcHandler((tx, delivery) -> {});
    assertThat(builder.config()).isEqualTo(expected);
    try (RabbitMqDedupConsumer consumer = builder.build()) {
      assertThat(consumer.config()).isEqualTo(expected);
    }
  }

  @Test
  void kafka_topics_are_copied_so_later_changes_to_the_list_do_not_leak_in() {
    List<String> topics = new ArrayList<>(List.of("orders"));
    KafkaDedupConsumerConfig config = kafka(topics, "inventory");
    topics.add("payments");
    assertThat(config.topics()).containsExactly("orders");
    assertThatThrownBy(() -> config.topics().add("x"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void kafka_config_rejects_missing_or_blank_topics_saying_what_is_allowed() {
    assertThatThrownBy(() -> kafka(List.of(), "inventory"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topics is []; allowed: at least one name, none blank");
    assertThatThrownBy(() -> kafka(null, "inventory"))
        .hasMessage("topics is null; allowed: at least one name, none blank");
    assertThatThrownBy(() -> kafka(Arrays.asList("orders", null), "inventory"))
        .hasMessage("topics is [orders, null]; allowed: at least one name, none blank");
    assertThatThrownBy(() -> kafka(List.of("orders", " "), "inventory"))
        .hasMessage("topics is [orders,  ]; allowed: at least one name, none blank");
  }

  @Test
  void consumer_names_must_fit_the_dedup_key() {
    assertThatThrownBy(() -> kafka(List.of("t"), " "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("consumerName is ' '; allowed 1..200 characters, not blank");
    assertThatThrownBy(() -> kafka(List.of("t"), null))
        .hasMessage("consumerName is 'null'; allowed 1..200 characters, not blank");
    String tooLong = "c".repeat(Dedup.MAX_CONSUMER_LENGTH + 1);
    assertThatThrownBy(() -> kafka(List.of("t"), tooLong))
        .hasMessage(
            "consumerName is '"
                + "c".repeat(40)
                + "...' (201 characters); allowed 1..200 characters, not blank");
    assertThat(kafka(List.of("t"), "c".repeat(Dedup.MAX_CONSUMER_LENGTH)).consumerName())
        .hasSize(Dedup.MAX_CONSUMER_LENGTH);
  }

  @Test
  void kafka_durations_out_of_range_name_the_field_and_what_is_allowed() {
    assertThatThrownBy(
            () ->
                new KafkaDedupConsumerConfig(
                    List.of("t"), "c", Duration.ZERO, SECOND, SECOND, SECOND, SECOND))
        .hasMessage(
            "pollTimeout is PT0S; allowed: a positive duration, e.g. Duration.ofSeconds(1)");
    assertThatThrownBy(
            () ->
                new KafkaDedupConsumerConfig(
                    List.of("t"), "c", SECOND, null, SECOND, SECOND, SECOND))
        .hasMessageStartingWith("retryBackoff is null; allowed: a positive duration");
    assertThatThrownBy(
            () ->
                new KafkaDedupConsumerConfig(
                    List.of("t"), "c", SECOND, SECOND, Duration.ofMillis(999), SECOND, SECOND))
        .hasMessage("maxRetryBackoff is PT0.999S; allowed: at least retryBackoff (PT1S)");
    assertThatThrownBy(
            () ->
                new KafkaDedupConsumerConfig(
                    List.of("t"), "c", SECOND, SECOND, SECOND, Duration.ofMillis(-1), SECOND))
        .hasMessageStartingWith("commitTimeout is PT-0.001S; allowed: a positive duration");
    assertThatThrownBy(
            () ->
                new KafkaDedupConsumerConfig(
                    List.of("t"), "c", SECOND, SECOND, SECOND, SECOND, Duration.ofMillis(-1)))
        .hasMessage("closeTimeout is PT-0.001S; allowed: zero or a positive duration");
    assertThat(
            new KafkaDedupConsumerConfig(
                    List.of("t"), "c", SECOND, SECOND, SECOND, SECOND, Duration.ZERO)
                .closeTimeout())
        .isZero();
  }

  @Test
  void rabbitmq_values_out_of_range_name_the_field_and_what_is_allowed() {
    assertThatThrownBy(() -> rabbit(-1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRedeliveries is -1; allowed 0..1000");
    assertThatThrownBy(() -> rabbit(1001, 1))
        .hasMessage("maxRedeliveries is 1001; allowed 0..1000");
    assertThatThrownBy(() -> rabbit(0, 0)).hasMessage("prefetch is 0; allowed 1..65535");
    assertThatThrownBy(() -> rabbit(0, 65536)).hasMessage("prefetch is 65536; allowed 1..65535");
    assertThat(rabbit(0, 65535).prefetch()).isEqualTo(RabbitMqDedupConsumerConfig.MAX_PREFETCH);
    assertThatThrownBy(() -> new RabbitMqDedupConsumerConfig(" ", "c", 0, 1, SECOND, SECOND))
        .hasMessage("queue is ' '; it is required");
    assertThatThrownBy(() -> new RabbitMqDedupConsumerConfig("q", "", 0, 1, SECOND, SECOND))
        .hasMessage("consumerName is ''; allowed 1..200 characters, not blank");
    assertThatThrownBy(() -> new RabbitMqDedupConsumerConfig("q", "c", 0, 1, null, SECOND))
        .hasMessage("retryDelay is null; allowed: zero or a positive duration");
    assertThatThrownBy(
            () -> new RabbitMqDedupConsumerConfig("q", "c", 0, 1, SECOND, Duration.ofSeconds(-1)))
        .hasMessage("closeTimeout is PT-1S; allowed: zero or a positive duration");
  }

  @Test
  void builders_check_the_values_before_the_collaborators() {
    assertThatThrownBy(() -> kafkaBuilder().pollTimeout(Duration.ZERO).build())
        .hasMessageStartingWith("pollTimeout is PT0S");
    assertThatThrownBy(() -> kafkaBuilder().dataSource(null).build())
        .hasMessageStartingWith("dataSource must not be null");
    assertThatThrownBy(() -> kafkaBuilder().clock(null).build())
        .hasMessage("clock must not be null");
    assertThatThrownBy(
            () ->
                RabbitMqDedupConsumer.builder()
                    .channel(unusedChannel())
                    .queue("q")
                    .consumerName("inventory")
                    .prefetch(0)
                    .build())
        .hasMessage("prefetch is 0; allowed 1..65535");
  }

  private static KafkaDedupConsumer.Builder<String, String> kafkaBuilder() {
    return KafkaDedupConsumer.<String, String>builder()
        .consumerFactory(() -> null)
        .topics(List.of("orders"))
        .consumerName("inventory")
        .dataSource(new PGSimpleDataSource())
        .jdbcHandler((tx, record) -> {});
  }

  private static Channel unusedChannel() {
    return (Channel)
        Proxy.newProxyInstance(
            Channel.class.getClassLoader(), new Class<?>[] {Channel.class}, (p, m, a) -> null);
  }
}
