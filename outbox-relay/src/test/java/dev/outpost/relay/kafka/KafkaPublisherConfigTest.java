package dev.outpost.relay.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.producer.MockProducer;
import org.junit.jupiter.api.Test;

class KafkaPublisherConfigTest {

  private static KafkaPublisher.Builder builder() {
    return KafkaPublisher.builder().bootstrapServers("localhost:9092");
  }

  @Test
  void defaults_are_acks_all_idempotent_five_in_flight_and_bounded_timeouts() {
    KafkaPublisherConfig config = builder().config();

    assertThat(config.producerProperties())
        .containsEntry("acks", "all")
        .containsEntry("enable.idempotence", "true")
        .containsEntry("max.in.flight.requests.per.connection", "5")
        .containsEntry("linger.ms", "5")
        .containsEntry("client.id", "outpost-relay");
    assertThat(config.sendTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(config.requestTimeout()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxBlock()).isEqualTo(Duration.ofSeconds(10));
    assertThat(config.maxRequestSize()).isEqualTo(1024 * 1024);
    assertThat(config.cloudEvents()).isFalse();
  }

  @Test
  void refuses_acks_other_than_all() {
    assertThatThrownBy(() -> builder().producerProperty("acks", "1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks is '1'")
        .hasMessageContaining("acks=all")
        .hasMessageContaining("Remove the override");
    assertThatThrownBy(() -> builder().producerProperties(Map.of("acks", "0")).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("acks is '0'");
  }

  @Test
  void accepts_acks_minus_one_which_means_all() {
    assertThat(builder().producerProperty("acks", "-1").config().producerProperties())
        .containsEntry("acks", "-1");
  }

  @Test
  void refuses_a_producer_without_idempotence() {
    assertThatThrownBy(() -> builder().producerProperty("enable.idempotence", false).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enable.idempotence is 'false'");
  }

  @Test
  void refuses_more_than_five_requests_in_flight() {
    assertThatThrownBy(
            () -> builder().producerProperty("max.in.flight.requests.per.connection", 6).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max.in.flight.requests.per.connection is '6'")
        .hasMessageContaining("1..5");
  }

  @Test
  void refuses_zero_retries_and_transactions() {
    assertThatThrownBy(() -> builder().producerProperty("retries", 0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retries is '0'");
    assertThatThrownBy(() -> builder().producerProperty("transactional.id", "tx-1").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("transactional.id is 'tx-1'");
  }

  @Test
  void refuses_serializer_overrides() {
    assertThatThrownBy(
            () ->
                builder()
                    .producerProperty(
                        "value.serializer",
                        org.apache.kafka.common.serialization.StringSerializer.class)
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("value.serializer")
        .hasMessageContaining("StringSerializer");
  }

  @Test
  void requires_bootstrap_servers() {
    assertThatThrownBy(() -> KafkaPublisher.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bootstrap.servers is missing");
  }

  @Test
  void refuses_values_kafka_cannot_parse() {
    assertThatThrownBy(() -> builder().producerProperty("linger.ms", "soon").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("linger.ms")
        .hasMessageContaining("soon");
  }

  @Test
  void refuses_a_send_timeout_below_request_timeout_plus_linger() {
    assertThatThrownBy(
            () ->
                builder()
                    .sendTimeout(Duration.ofSeconds(2))
                    .requestTimeout(Duration.ofSeconds(2))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sendTimeout (delivery.timeout.ms) is 2000 ms")
        .hasMessageContaining("2005 ms");
    assertThatThrownBy(() -> builder().sendTimeout(Duration.ofMillis(10)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("sendTimeout (delivery.timeout.ms) is PT0.01S");
  }

  @Test
  void requires_a_source_when_cloud_events_are_on() {
    assertThatThrownBy(() -> builder().cloudEvents(true, " ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cloudEventsSource");
  }

  @Test
  void hides_secrets_in_the_description() {
    KafkaPublisherConfig config =
        builder().producerProperty("sasl.jaas.config", "user=\"a\" password=\"s3cret\"").config();

    assertThat(config.toString()).doesNotContain("s3cret").contains("[hidden]");
  }

  @Test
  void hides_keys_credentials_and_auth_values_in_the_description() {
    KafkaPublisherConfig config =
        builder()
            .producerProperty("ssl.keystore.key", "-----BEGIN PRIVATE KEY----- k3y")
            .producerProperty("ssl.truststore.certificates", "public-cert")
            .producerProperty("basic.auth.user.info", "user:au7h")
            .producerProperty("schema.registry.credentials", "cr3d")
            .producerProperty("sasl.oauthbearer.token", "t0ken")
            .config();

    assertThat(config.toString())
        .doesNotContain("k3y", "au7h", "cr3d", "t0ken")
        .contains("ssl.truststore.certificates=public-cert");
  }

  @Test
  void build_creates_no_producer_and_close_without_publish_is_fine() {
    AtomicInteger created = new AtomicInteger();
    KafkaPublisher publisher =
        builder()
            .producerFactory(
                props -> {
                  created.incrementAndGet();
                  return new MockProducer<>();
                })
            .build();

    publisher.close();
    publisher.close();

    assertThat(created).hasValue(0);
  }
}
