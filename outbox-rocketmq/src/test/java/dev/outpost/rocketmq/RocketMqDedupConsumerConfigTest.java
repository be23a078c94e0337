package dev.outpost.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** The RocketMQ dedup consumer's public configuration record and its validation; no broker. */
class RocketMqDedupConsumerConfigTest {

  private static RocketMqDedupConsumerConfig config(
      String consumerName, int maxReconsumeTimes, int consumeThreads, Duration retryDelay) {
    return new RocketMqDedupConsumerConfig(
        "127.0.0.1:9876",
        "inventory",
        "orders",
        "*",
        consumerName,
        false,
        maxReconsumeTimes,
        consumeThreads,
        retryDelay,
        ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
        "client-1");
  }

  private static RocketMqDedupConsumer.Builder builder() {
    return RocketMqDedupConsumer.builder()
        .namesrvAddress("127.0.0.1:9876")
        .consumerGroup("inventory")
        .topic("orders")
        .instanceName("client-1")
        .dataSource(new PGSimpleDataSource())
        .jdbcHandler((tx, message) -> {});
  }

  @Test
  void the_builder_makes_a_config_of_its_defaults_and_the_consumer_reports_it() {
    RocketMqDedupConsumerConfig expected =
        new RocketMqDedupConsumerConfig(
            "127.0.0.1:9876",
            "inventory",
            "orders",
            "*",
            "inventory",
            false,
            RocketMqDedupConsumer.DEFAULT_MAX_RECONSUME_TIMES,
            RocketMqDedupConsumer.DEFAULT_CONSUME_THREADS,
            RocketMqDedupConsumer.DEFAULT_RETRY_DELAY,
            ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET,
            "client-1");
    assertThat(builder().config()).isEqualTo(expected);
    try (RocketMqDedupConsumer consumer = builder().build()) {
      assertThat(consumer.config()).isEqualTo(expected);
    }
  }

  @Test
  void the_consumer_name_defaults_to_the_group_and_the_instance_name_is_unique_per_config() {
    RocketMqDedupConsumer.Builder builder = builder().instanceName(null);
    assertThat(builder.config().consumerName()).isEqualTo("inventory");
    assertThat(builder.consumerName("stock").config().consumerName()).isEqualTo("stock");
    assertThat(builder.config().instanceName())
        .startsWith("outpost-dedup-")
        .isNotEqualTo(builder.config().instanceName());
  }

  @Test
  void values_out_of_range_name_the_field_and_what_is_allowed() {
    assertThatThrownBy(() -> config("c", -1, 1, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxReconsumeTimes is -1; allowed 0..1000");
    assertThatThrownBy(() -> config("c", 0, 0, Duration.ofSeconds(1)))
        .hasMessage("consumeThreads is 0; allowed 1..1000");
    assertThatThrownBy(() -> config("c", 0, 1001, Duration.ofSeconds(1)))
        .hasMessage("consumeThreads is 1001; allowed 1..1000");
    assertThatThrownBy(() -> config("c", 0, 1, Duration.ofMillis(9)))
        .hasMessage("retryDelay is PT0.009S; allowed PT0.01S..PT1H (inclusive)");
    assertThatThrownBy(() -> config("c", 0, 1, Duration.ofMinutes(61)))
        .hasMessage("retryDelay is PT1H1M; allowed PT0.01S..PT1H (inclusive)");
    assertThat(config("c", 1000, 1000, Duration.ofHours(1)).retryDelay())
        .isEqualTo(RocketMqDedupConsumerConfig.MAX_RETRY_DELAY);
    assertThatThrownBy(() -> config(" ", 0, 1, Duration.ofSeconds(1)))
        .hasMessage("consumerName is ' '; allowed 1..200 characters, not blank");
  }

  @Test
  void missing_names_are_refused_by_name() {
    assertThatThrownBy(() -> builder().namesrvAddress(null).config())
        .hasMessage("namesrvAddress is 'null'; it is required");
    assertThatThrownBy(() -> builder().topic("").config())
        .hasMessage("topic is ''; it is required");
    assertThatThrownBy(() -> builder().subscription(" ").config())
        .hasMessage("subscription is ' '; it is required");
    assertThatThrownBy(() -> builder().instanceName(" ").config())
        .hasMessage("instanceName is ' '; it is required");
    assertThatThrownBy(() -> builder().consumeFromWhere(null).config())
        .hasMessage("consumeFromWhere must not be null");
    assertThatThrownBy(() -> builder().consumerCustomizer(null).build())
        .hasMessage("consumerCustomizer must not be null");
  }
}
