package dev.outpost.relay.rabbitmq;

import static dev.outpost.relay.brokers.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.brokers.TestMessages;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RabbitMqPublisherConfigTest {

  private static RabbitMqPublisher.Builder builder() {
    return RabbitMqPublisher.builder().uri("amqp://guest:guest@localhost:5672/%2f");
  }

  @Test
  void defaults_are_mandatory_persistent_and_bounded_timeouts() {
    RabbitMqPublisherConfig config = builder().config();

    assertThat(config.mandatory()).isTrue();
    assertThat(config.persistent()).isTrue();
    assertThat(config.exchange()).isEmpty();
    assertThat(config.channels()).isEqualTo(8);
    assertThat(config.confirmTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.connectTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.recoveryInterval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(config.maxMessageBytes()).isEqualTo(128 * 1024 * 1024);
    assertThat(config.routing().apply(message("orders", "k", "x")))
        .isEqualTo(new Destination("", "orders"));
    assertThat(config.brokerAddress()).isEqualTo("localhost:5672//");
  }

  @Test
  void routes_to_the_configured_exchange_with_the_topic_as_routing_key() {
    assertThat(builder().exchange("events").config().routing().apply(message("orders", "k", "x")))
        .isEqualTo(new Destination("events", "orders"));
  }

  @Test
  void requires_a_broker() {
    assertThatThrownBy(() -> RabbitMqPublisher.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("connectionFactory is missing");
  }

  @Test
  void refuses_a_bad_uri_without_echoing_credentials() {
    assertThatThrownBy(() -> RabbitMqPublisher.builder().uri("http://user:s3cret@host"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid AMQP URI")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void refuses_values_out_of_range() {
    assertThatThrownBy(() -> builder().channels(0).build())
        .hasMessageContaining("channels is 0; allowed 1..256");
    assertThatThrownBy(() -> builder().confirmTimeout(Duration.ofMillis(1)).build())
        .hasMessageContaining("confirmTimeout is PT0.001S");
    assertThatThrownBy(() -> builder().maxMessageBytes(0).build())
        .hasMessageContaining("maxMessageBytes is 0");
    assertThatThrownBy(() -> builder().cloudEvents(true, null).build())
        .hasMessageContaining("cloudEventsSource");
    assertThatThrownBy(() -> builder().exchange(null).build())
        .hasMessageContaining("exchange must not be null");
  }

  @Test
  void refuses_destination_names_longer_than_amqp_allows() {
    assertThatThrownBy(() -> new Destination("", "r".repeat(256)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("routingKey")
        .hasMessageContaining("256 bytes");
  }

  @Test
  void build_connects_nowhere_and_close_without_publish_is_idempotent() {
    long before = rabbitThreads();
    RabbitMqPublisher publisher =
        RabbitMqPublisher.builder().uri("amqp://guest:guest@192.0.2.1:5672/%2f").build();
    assertThat(rabbitThreads())
        .as("build() starts no thread and opens no connection")
        .isEqualTo(before);

    publisher.close();
    publisher.close();

    List<PublishResult> results =
        TestMessages.await(publisher.publish(List.of(message("q", "k", "x"))));
    assertThat(results).singleElement().isInstanceOf(PublishResult.Failed.class);
    assertThat(((PublishResult.Failed) results.get(0)).cause()).hasMessageContaining("closed");
    assertThat(rabbitThreads()).isEqualTo(before);
  }

  private static long rabbitThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .map(Thread::getName)
        .filter(n -> n.startsWith("outpost-rabbitmq") || n.startsWith("AMQP"))
        .count();
  }
}
