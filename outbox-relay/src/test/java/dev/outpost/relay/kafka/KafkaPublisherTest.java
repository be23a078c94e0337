package dev.outpost.relay.kafka;

import static dev.outpost.relay.brokers.TestMessages.await;
import static dev.outpost.relay.brokers.TestMessages.message;
import static dev.outpost.relay.brokers.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.NotSentException;
import dev.outpost.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class KafkaPublisherTest {

  private final EmbeddedKafka kafka = EmbeddedKafka.shared();
  private final List<KafkaPublisher> publishers = new ArrayList<>();
  private String topic;

  @BeforeEach
  void createTopic() {
    topic = "outpost-kafka-" + UUID.randomUUID();
    kafka.createTopic(topic, 4);
  }

  @AfterEach
  void closePublishers() {
    publishers.forEach(KafkaPublisher::close);
  }

  private KafkaPublisher publisher(KafkaPublisher.Builder builder) {
    KafkaPublisher publisher = builder.bootstrapServers(kafka.bootstrapServers()).build();
    publishers.add(publisher);
    return publisher;
  }

  @Test
  void delivers_records_with_key_payload_headers_and_message_id() {
    KafkaPublisher publisher = publisher(KafkaPublisher.builder());
    RelayMessage keyed = message(topic, "order-1", "created");
    RelayMessage keyless = message(topic, null, "ping");

    List<PublishResult> results = await(publisher.publish(List.of(keyed, keyless)));

    assertThat(results).containsExactly(PublishResult.confirmed(), PublishResult.confirmed());
    try (KafkaReader reader = new KafkaReader(kafka.bootstrapServers(), topic)) {
      List<ConsumerRecord<byte[], byte[]>> records = reader.readAtLeast(2);
      ConsumerRecord<byte[], byte[]> record = byMessageId(records, keyed);
      assertThat(text(record.key())).isEqualTo("order-1");
      assertThat(text(record.value())).isEqualTo("created");
      assertThat(headers(record))
          .containsEntry(RelayMessage.MESSAGE_ID_HEADER, keyed.messageId().toString())
          .containsEntry("traceparent", keyed.headers().get("traceparent"))
          .containsEntry("x-origin", "test")
          .containsEntry("content-type", "text/plain")
          .doesNotContainKey("ce_id");
      ConsumerRecord<byte[], byte[]> unkeyed = byMessageId(records, keyless);
      assertThat(unkeyed.key()).isNull();
      assertThat(text(unkeyed.value())).isEqualTo("ping");
    }
  }

  @Test
  void keeps_per_key_order_in_partitions_across_pipelined_batches() {
    KafkaPublisher publisher = publisher(KafkaPublisher.builder());
    int keys = 20;
    int perKey = 100;
    List<CompletionStage<List<PublishResult>>> stages = new ArrayList<>();
    List<RelayMessage> batch = new ArrayList<>();
    for (int seq = 0; seq < perKey; seq++) {
      for (int k = 0; k < keys; k++) {
        batch.add(message(topic, "key-" + k, String.valueOf(seq)));
        if (batch.size() == 100) {
          stages.add(publisher.publish(List.copyOf(batch)));
          batch.clear();
        }
      }
    }
    for (CompletionStage<List<PublishResult>> stage : stages) {
      assertThat(await(stage)).allMatch(PublishResult::isConfirmed);
    }

    try (KafkaReader reader = new KafkaReader(kafka.bootstrapServers(), topic)) {
      List<ConsumerRecord<byte[], byte[]>> records = reader.readAtLeast(keys * perKey);
      assertThat(records).hasSize(keys * perKey);
      Map<String, Integer> partitionOfKey = new HashMap<>();
      Map<String, Integer> lastSeq = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> record : records) {
        String key = text(record.key());
        assertThat(partitionOfKey.computeIfAbsent(key, k -> record.partition()))
            .as("partition of %s", key)
            .isEqualTo(record.partition());
      }
      for (ConsumerRecord<byte[], byte[]> record : records) {
        String key = text(record.key());
        int seq = Integer.parseInt(text(record.value()));
        assertThat(seq).as("sequence of %s", key).isEqualTo(lastSeq.getOrDefault(key, -1) + 1);
        lastSeq.put(key, seq);
      }
    }
  }

  @Test
  void rejects_a_record_above_max_request_size_without_sending_it_and_sends_other_keys() {
    KafkaPublisher publisher =
        publisher(KafkaPublisher.builder().producerProperty("max.request.size", 10_000));
    RelayMessage before = message(topic, "k", "before");
    RelayMessage huge = message(topic, "k", new byte[20_000]);
    RelayMessage sameKey = message(topic, "k", "same key");
    RelayMessage otherKey = message(topic, "j", "other key");

    List<PublishResult> results =
        await(publisher.publish(List.of(before, huge, sameKey, otherKey)));

    assertThat(results.get(0)).isEqualTo(PublishResult.confirmed());
    assertThat(results.get(1)).isInstanceOf(PublishResult.Rejected.class);
    assertThat(((PublishResult.Rejected) results.get(1)).cause())
        .hasMessageContaining(huge.messageId().toString())
        .hasMessageContaining("max.request.size")
        .hasRootCauseInstanceOf(RecordTooLargeException.class);
    assertThat(((PublishResult.Failed) results.get(2)).cause())
        .isInstanceOf(NotSentException.class);
    assertThat(results.get(3)).isEqualTo(PublishResult.confirmed());
    try (KafkaReader reader = new KafkaReader(kafka.bootstrapServers(), topic)) {
      assertThat(reader.readAtLeast(2))
          .extracting(r -> text(r.value()))
          .containsExactlyInAnyOrder("before", "other key");
    }
  }

  @Test
  void rejects_a_record_the_broker_refuses_as_too_large() throws Exception {
    String small = "outpost-kafka-small-" + UUID.randomUUID();
    try (Admin admin = kafka.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(small, 1, (short) 1).configs(Map.of("max.message.bytes", "2000"))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    kafka.awaitTopicReady(small, 1);
    KafkaPublisher publisher = publisher(KafkaPublisher.builder());

    List<PublishResult> results =
        await(publisher.publish(List.of(message(small, "k", new byte[10_000]))));

    assertThat(results.get(0)).isInstanceOf(PublishResult.Rejected.class);
    assertThat(((PublishResult.Rejected) results.get(0)).cause())
        .hasCauseInstanceOf(RecordTooLargeException.class);
  }

  @Test
  void fails_messages_for_a_missing_topic_after_max_block_and_still_sends_other_topics() {
    KafkaPublisher publisher = publisher(KafkaPublisher.builder().maxBlock(Duration.ofMillis(500)));
    String missing = "outpost-kafka-missing-" + UUID.randomUUID();
    RelayMessage lost = message(missing, "a", "1");
    RelayMessage fine = message(topic, "b", "2");
    RelayMessage sameTopic = message(missing, "c", "3");
    RelayMessage sameKey = message(topic, "a", "4");

    List<PublishResult> results = await(publisher.publish(List.of(lost, fine, sameTopic, sameKey)));

    assertThat(results.get(0)).isInstanceOf(PublishResult.Failed.class);
    assertThat(((PublishResult.Failed) results.get(0)).cause())
        .isInstanceOf(org.apache.kafka.common.errors.TimeoutException.class)
        .hasMessageContaining(missing);
    assertThat(results.get(1)).isEqualTo(PublishResult.confirmed());
    assertThat(((PublishResult.Failed) results.get(2)).cause())
        .isInstanceOf(NotSentException.class);
    assertThat(((PublishResult.Failed) results.get(3)).cause())
        .isInstanceOf(NotSentException.class)
        .hasMessageContaining("key 'a'");
  }

  @Test
  void maps_topics_and_adds_cloud_events_headers_when_enabled() {
    KafkaPublisher publisher =
        publisher(
            KafkaPublisher.builder()
                .topicMapper(m -> topic)
                .cloudEvents(true, "/orders-service")
                .cloudEventsType(m -> "com.example." + m.topic()));
    RelayMessage created = message("order.created", "order-7", "{}");

    assertThat(await(publisher.publish(List.of(created))))
        .containsExactly(PublishResult.confirmed());

    try (KafkaReader reader = new KafkaReader(kafka.bootstrapServers(), topic)) {
      Map<String, String> headers = headers(reader.readAtLeast(1).get(0));
      assertThat(headers)
          .containsEntry("ce_specversion", "1.0")
          .containsEntry("ce_id", created.messageId().toString())
          .containsEntry("ce_source", "/orders-service")
          .containsEntry("ce_type", "com.example.order.created")
          .containsEntry("ce_time", "2025-01-02T03:04:05.123Z")
          .containsEntry("ce_subject", "order-7")
          .containsEntry("content-type", "text/plain")
          .containsEntry(RelayMessage.MESSAGE_ID_HEADER, created.messageId().toString());
    }
  }

  @Test
  void rejects_a_message_whose_topic_mapper_returns_an_illegal_name() {
    KafkaPublisher publisher =
        publisher(KafkaPublisher.builder().topicMapper(m -> "orders events"));

    List<PublishResult> results = await(publisher.publish(List.of(message(topic, "k", "x"))));

    assertThat(results.get(0)).isInstanceOf(PublishResult.Rejected.class);
    assertThat(((PublishResult.Rejected) results.get(0)).cause())
        .hasMessageContaining("'orders events'")
        .hasMessageContaining("[a-zA-Z0-9._-]");
  }

  private static ConsumerRecord<byte[], byte[]> byMessageId(
      List<ConsumerRecord<byte[], byte[]>> records, RelayMessage message) {
    return records.stream()
        .filter(
            r ->
                message
                    .messageId()
                    .toString()
                    .equals(headers(r).get(RelayMessage.MESSAGE_ID_HEADER)))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no record for " + message));
  }

  static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
    Map<String, String> headers = new HashMap<>();
    for (Header header : record.headers()) {
      headers.put(header.key(), text(header.value()));
    }
    return headers;
  }
}
