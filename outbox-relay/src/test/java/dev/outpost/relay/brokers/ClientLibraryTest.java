package dev.outpost.relay.brokers;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.brokers.internal.ClientLibrary;
import org.junit.jupiter.api.Test;

class ClientLibraryTest {

  @Test
  void a_missing_client_names_the_maven_coordinates_to_add() {
    assertThatThrownBy(
            () ->
                ClientLibrary.require(
                    "org.example.Missing", "KafkaPublisher", "org.apache.kafka:kafka-clients"))
        .isInstanceOf(OutpostException.class)
        .hasMessageContaining(
            "KafkaPublisher needs the broker client org.apache.kafka:kafka-clients")
        .hasMessageContaining(
            "<groupId>org.apache.kafka</groupId><artifactId>kafka-clients</artifactId>");
  }

  @Test
  void a_present_client_passes() {
    assertThatCode(
            () ->
                ClientLibrary.require(
                    "com.rabbitmq.client.ConnectionFactory",
                    "RabbitMqPublisher",
                    "com.rabbitmq:amqp-client"))
        .doesNotThrowAnyException();
  }
}
