package dev.outpost.rocketmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/** Builder validation of the publisher and the consumer; no broker needed. */
class RocketMqConfigTest {

  private static RocketMqPublisher.Builder publisher() {
    return RocketMqPublisher.builder().namesrvAddress("127.0.0.1:9876");
  }

  @Test
  void publisher_defaults_are_the_safe_ones() {
    RocketMqPublisherConfig config = publisher().config();
    assertThat(config.acceptUnflushed()).isFalse();
    assertThat(config.sendTimeout()).isEqualTo(RocketMqPublisherConfig.DEFAULT_SEND_TIMEOUT);
    assertThat(config.maxInFlight()).isEqualTo(RocketMqPublisherConfig.DEFAULT_MAX_IN_FLIGHT);
    assertThat(config.maxMessageBytes()).isEqualTo(4 * 1024 * 1024);
    assertThat(config.producerGroup()).isEqualTo("outpost-relay");
    assertThat(config.instanceName()).isNotEqualTo(publisher().config().instanceName());
  }

  @Test
  void publisher_settings_out_of_range_name_the_field() {
    assertThatThrownBy(() -> RocketMqPublisher.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("namesrvAddress");
    assertThatThrownBy(() -> publisher().maxInFlight(0).build())
        .hasMessageContaining("maxInFlight is 0");
    assertThatThrownBy(() -> publisher().maxMessageBytes(0).build())
        .hasMessageContaining("maxMessageBytes");
    assertThatThrownBy(() -> publisher().sendTimeout(Duration.ofMillis(1)).build())
        .hasMessageContaining("sendTimeout");
    assertThatThrownBy(() -> publisher().closeTimeout(null).build())
        .hasMessageContaining("closeTimeout");
    assertThatThrownBy(() -> publisher().producerGroup("bad group").build())
        .hasMessageContaining("producerGroup");
    assertThatThrownBy(() -> publisher().topicMapper(null).build())
        .hasMessageContaining("topicMapper");
  }

  @Test
  void a_publisher_closes_without_having_started_and_twice() {
    RocketMqPublisher publisher = publisher().build();
    publisher.close();
    publisher.close();
  }

  private static RocketMqDedupConsumer.Builder consumer() {
    DataSource dataSource = new PGSimpleDataSource();
    return RocketMqDedupConsumer.builder()
        .namesrvAddress("127.0.0.1:9876")
        .consumerGroup("inventory")
        .topic("orders")
        .dataSource(dataSource)
        .jdbcHandler((tx, message) -> {});
  }

  @Test
  void consumer_settings_out_of_range_name_the_field() {
    assertThatThrownBy(() -> consumer().topic(" ").build()).hasMessageContaining("topic");
    assertThatThrownBy(() -> consumer().consumerGroup(null).build())
        .hasMessageContaining("consumerGroup");
    assertThatThrownBy(() -> consumer().dataSource(null).build())
        .hasMessageContaining("dataSource");
    assertThatThrownBy(() -> consumer().handler((tx, m) -> {}).build())
        .hasMessageContaining("both are set");
    assertThatThrownBy(() -> consumer().maxReconsumeTimes(-1).build())
        .hasMessageContaining("maxReconsumeTimes is -1");
    assertThatThrownBy(() -> consumer().consumeThreads(0).build())
        .hasMessageContaining("consumeThreads");
    assertThatThrownBy(() -> consumer().retryDelay(Duration.ZERO).build())
        .hasMessageContaining("retryDelay");
  }

  @Test
  void a_consumer_closes_without_having_started_and_refuses_to_start_after_close() {
    RocketMqDedupConsumer consumer = consumer().build();
    consumer.close();
    consumer.close();
    assertThatThrownBy(consumer::start).isInstanceOf(IllegalStateException.class);
  }
}
