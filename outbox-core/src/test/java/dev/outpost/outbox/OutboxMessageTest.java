package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OutboxMessageTest {

  @Test
  void builds_a_message_with_a_fluent_builder() {
    OutboxMessage message =
        OutboxMessage.to("orders")
            .key("order-42")
            .payload("{\"id\":42}")
            .header("type", "OrderCreated")
            .build();

    assertThat(message.topic()).isEqualTo("orders");
    assertThat(message.key()).isEqualTo("order-42");
    assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":42}");
    assertThat(message.payloadSize()).isEqualTo(9);
    assertThat(message.headers()).containsExactly(Map.entry("type", "OrderCreated"));
    assertThat(message.createdAt()).isNull();
    assertThat(message.messageId().version()).isEqualTo(7);
  }

  @Test
  void keeps_a_given_message_id_and_creation_time() {
    UUID id = UUID.randomUUID();
    Instant createdAt = Instant.parse("2024-01-02T03:04:05Z");

    OutboxMessage message =
        OutboxMessage.to("orders").messageId(id).createdAt(createdAt).payload("x").build();

    assertThat(message.messageId()).isEqualTo(id);
    assertThat(message.createdAt()).isEqualTo(createdAt);
  }

  @Test
  void generates_a_new_message_id_for_every_message() {
    OutboxMessage.Builder builder = OutboxMessage.to("orders").payload("x");

    assertThat(builder.build().messageId()).isNotEqualTo(builder.build().messageId());
  }

  @Test
  void cannot_be_changed_through_the_payload_arrays() {
    byte[] bytes = {1, 2, 3};
    OutboxMessage message = OutboxMessage.to("orders").payload(bytes).build();

    bytes[0] = 9;
    message.payload()[1] = 9;

    assertThat(message.payload()).containsExactly(1, 2, 3);
  }

  @Test
  void has_unmodifiable_headers() {
    OutboxMessage message = OutboxMessage.to("orders").payload("x").header("a", "1").build();

    assertThatThrownBy(() -> message.headers().put("b", "2"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void keeps_the_last_value_of_a_header_given_twice() {
    OutboxMessage message =
        OutboxMessage.to("orders").payload("x").header("a", "1").header("a", "2").build();

    assertThat(message.headers()).containsExactly(Map.entry("a", "2"));
  }

  @Test
  void copies_with_more_headers_and_the_same_identity() {
    OutboxMessage message =
        OutboxMessage.to("orders").key("k").payload("x").header("a", "1").build();

    OutboxMessage copy = message.withHeaders(Map.of("a", "3", "b", "2"));

    assertThat(copy.messageId()).isEqualTo(message.messageId());
    assertThat(copy.key()).isEqualTo("k");
    assertThat(copy.headers()).containsExactly(Map.entry("a", "3"), Map.entry("b", "2"));
    assertThat(message.headers()).containsExactly(Map.entry("a", "1"));
    assertThat(message.toBuilder().build()).isEqualTo(message);
  }

  @Test
  void accepts_every_character_brokers_allow_in_a_topic() {
    assertThat(OutboxMessage.to("Orders.v1_created-EU").payload("x").build().topic())
        .isEqualTo("Orders.v1_created-EU");
    assertThat(OutboxMessage.to("t".repeat(OutboxMessage.MAX_TOPIC_LENGTH)).payload("x").build())
        .isNotNull();
  }

  @Test
  void rejects_a_null_topic() {
    assertThatThrownBy(() -> OutboxMessage.to(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "topic is null; every message needs a destination: a Kafka topic or a RabbitMQ"
                + " routing key");
  }

  @Test
  void rejects_a_blank_topic() {
    assertThatThrownBy(() -> OutboxMessage.to("  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("topic is blank ('  ')");
    assertThatThrownBy(() -> OutboxMessage.to(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("topic is blank ('')");
  }

  @Test
  void rejects_a_topic_with_a_space() {
    assertThatThrownBy(() -> OutboxMessage.to("orders events"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "topic 'orders events' contains a space at index 6; topic names allow only"
                + " [a-zA-Z0-9._-], the characters every supported broker accepts");
  }

  @Test
  void rejects_a_topic_with_characters_a_broker_does_not_accept() {
    for (String topic : new String[] {"orders/eu", "orders:eu", "bestellungen-ä", "a*b", "a#b"}) {
      assertThatThrownBy(() -> OutboxMessage.to(topic))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("topic '" + topic + "' contains '")
          .hasMessageContaining("topic names allow only [a-zA-Z0-9._-]");
    }
    assertThatThrownBy(() -> OutboxMessage.to("orders\tx"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contains the control character U+0009 at index 6");
  }

  @Test
  void rejects_the_topic_names_kafka_reserves() {
    assertThatThrownBy(() -> OutboxMessage.to(".."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("topic '..' is not allowed; Kafka rejects the topic names '.' and '..'");
    assertThatThrownBy(() -> OutboxMessage.to("."))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topic '.' is not allowed");
  }

  @Test
  void rejects_a_topic_longer_than_kafka_allows() {
    String topic = "t".repeat(OutboxMessage.MAX_TOPIC_LENGTH + 1);

    assertThatThrownBy(() -> OutboxMessage.to(topic))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "topic '"
                + "t".repeat(40)
                + "...' has 250 characters; the limit is 249 (Kafka's limit for topic names)");
  }

  @Test
  void requires_a_payload() {
    assertThatThrownBy(() -> OutboxMessage.to("orders").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("payload is required for topic 'orders'; call payload(...) before build()");
    assertThatThrownBy(() -> OutboxMessage.to("orders").payload((byte[]) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("payload must not be null");
    assertThatThrownBy(() -> OutboxMessage.to("orders").payload((String) null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("payload must not be null");
  }

  @Test
  void accepts_an_empty_payload() {
    assertThat(OutboxMessage.to("orders").payload(new byte[0]).build().payloadSize()).isZero();
  }

  @Test
  void rejects_headers_without_a_name_or_value() {
    assertThatThrownBy(() -> OutboxMessage.to("orders").header(" ", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name must not be null or blank");
    assertThatThrownBy(() -> OutboxMessage.to("orders").header(null, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header name must not be null or blank");
    assertThatThrownBy(() -> OutboxMessage.to("orders").header("type", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("header 'type' has a null value");
  }

  @Test
  void says_what_it_is_without_printing_the_payload() {
    OutboxMessage message = OutboxMessage.to("orders").key("k").payload("secret").build();

    assertThat(message.toString())
        .contains("topic=orders", "key=k", "6 bytes")
        .doesNotContain("secret");
  }
}
