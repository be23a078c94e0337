package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;

class EmbeddedKafkaTest {
  @Test
  void starts_a_broker_that_creates_topics() throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    kafka.createTopic("outpost-fixture-check", 3);
    try (Admin admin = kafka.admin()) {
      assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS))
          .contains("outpost-fixture-check");
    }
  }

  @Test
  void the_test_rabbitmq_routes_a_message_to_a_queue_and_back() throws Exception {
    LocalRabbitMq.requireAvailable();
    String queue = "outpost-fixture-check-" + UUID.randomUUID();
    try (Connection connection = LocalRabbitMq.connectionFactory().newConnection("fixture-check");
        Channel channel = connection.createChannel()) {
      channel.queueDeclare(queue, false, true, true, null);
      channel.basicPublish("", queue, null, "ping".getBytes(StandardCharsets.UTF_8));
      GetResponse response =
          await()
              .atMost(Duration.ofSeconds(10))
              .until(() -> channel.basicGet(queue, true), r -> r != null);
      assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("ping");
    }
  }

  @Test
  void an_explicit_rabbitmq_uri_wins_over_docker_and_the_local_service() {
    assertThat(LocalRabbitMq.choose(Map.of(LocalRabbitMq.ENV_URI, "amqp://u:p@127.0.0.9:1/v")))
        .isEqualTo("amqp://u:p@127.0.0.9:1/v");
  }
}
