package dev.outpost.rocketmq;

import static dev.outpost.relay.brokers.TestMessages.await;
import static dev.outpost.relay.brokers.TestMessages.message;
import static dev.outpost.relay.brokers.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.relay.Deliveries;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.TestMessages;
import dev.outpost.testing.EmbeddedRocketMq;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.rocketmq.client.producer.SendStatus;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.store.config.MessageStoreConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The RocketMQ publisher against the real in-JVM broker (shared by this test JVM). */
@Timeout(120)
class RocketMqPublisherTest {

  private static final EmbeddedRocketMq rocketmq = EmbeddedRocketMq.shared();

  private static String topic(int queues) {
    String topic = "outpost-pub-" + UUID.randomUUID().toString().substring(0, 8);
    rocketmq.createTopic(topic, queues);
    return topic;
  }

  private static RocketMqPublisher.Builder publisher() {
    return RocketMqPublisher.builder().namesrvAddress(rocketmq.namesrvAddress());
  }

  @Test
  void confirms_a_batch_and_sends_id_headers_and_keys_along() {
    String topic = topic(4);
    List<RelayMessage> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(message(topic, "order-" + (i % 5), "m" + i));
    }
    batch.add(message(topic, null, "keyless"));
    try (RocketMqPublisher publisher = publisher().build()) {
      Publishing.untilConfirmed(publisher, batch);
    }

    try (RocketMqReader reader = reader(topic)) {
      List<MessageExt> read = reader.read(21);
      assertThat(read).hasSize(21);
      MessageExt first =
          read.stream().filter(m -> text(m.getBody()).equals("m0")).findFirst().orElseThrow();
      RelayMessage sent = batch.get(0);
      assertThat(first.getUserProperty(RelayMessage.MESSAGE_ID_HEADER))
          .isEqualTo(sent.messageId().toString());
      assertThat(first.getUserProperty("traceparent")).isEqualTo(TestMessages.TRACEPARENT);
      assertThat(first.getUserProperty("x-origin")).isEqualTo("test");
      assertThat(first.getKeys()).isEqualTo(sent.messageId() + " order-0");
      // Every key lives in exactly one queue.
      Map<String, Integer> queueOfKey = new HashMap<>();
      for (MessageExt message : read) {
        String[] keys = message.getKeys().split(" ");
        if (keys.length == 2) {
          assertThat(queueOfKey.computeIfAbsent(keys[1], k -> message.getQueueId()))
              .isEqualTo(message.getQueueId());
        }
      }
    }
  }

  @Test
  void keeps_per_key_order_over_many_batches() {
    String topic = topic(4);
    int count = 3_000;
    List<UUID> committed = new ArrayList<>();
    Map<UUID, Deliveries.Delivery> sent = new HashMap<>();
    try (RocketMqPublisher publisher = publisher().maxInFlight(64).build()) {
      List<RelayMessage> batch = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String key = "key-" + (i % 7);
        RelayMessage message = message(topic, key, key + ":" + (i / 7));
        committed.add(message.messageId());
        sent.put(message.messageId(), new Deliveries.Delivery(message.messageId(), key, i / 7));
        batch.add(message);
        if (batch.size() == 300) {
          Publishing.untilConfirmed(publisher, batch);
          batch = new ArrayList<>();
        }
      }
    }
    List<Deliveries.Delivery> history = new ArrayList<>();
    try (RocketMqReader reader = reader(topic)) {
      for (MessageExt message : reader.read(count)) {
        history.add(sent.get(RocketMqReader.messageId(message)));
      }
    }
    Deliveries.Report report = Deliveries.classify(committed, history);
    assertThat(report.lost()).as(report.toString()).isZero();
    assertThat(report.duplicated()).as(report.toString()).isZero();
    assertThat(report.orderViolations()).as(report.toString()).isZero();
  }

  @Test
  void rejects_an_oversized_message_at_once_and_holds_back_its_key() {
    String topic = topic(2);
    RelayMessage big = message(topic, "a", new byte[20_000]);
    RelayMessage behindBig = message(topic, "a", "after big");
    RelayMessage other = message(topic, "b", "other key");
    try (RocketMqPublisher publisher = publisher().maxMessageBytes(10_000).build()) {
      List<PublishResult> results = await(publisher.publish(List.of(big, behindBig, other)));

      assertThat(results.get(0)).isInstanceOf(PublishResult.Rejected.class);
      assertThat(((PublishResult.Rejected) results.get(0)).cause())
          .hasMessageContaining("maxMessageBytes");
      assertThat(results.get(1)).isInstanceOf(PublishResult.Failed.class);
      assertThat(((PublishResult.Failed) results.get(1)).cause()).hasMessageContaining("not sent");
      assertThat(results.get(2).isConfirmed()).isTrue();
    }
  }

  @Test
  void rejects_a_message_above_the_brokers_limit_that_the_client_would_send() {
    String topic = topic(1);
    // 5 MiB is above RocketMQ's default maxMessageSize of 4 MiB.
    RelayMessage huge = message(topic, "a", new byte[5 * 1024 * 1024]);
    try (RocketMqPublisher publisher = publisher().build()) {
      assertThat(await(publisher.publish(List.of(huge))).get(0))
          .isInstanceOf(PublishResult.Rejected.class);
    }
  }

  @Test
  void fails_messages_for_an_unknown_topic_so_the_relay_retries_them() {
    String missing = "outpost-missing-" + UUID.randomUUID().toString().substring(0, 8);
    try (RocketMqPublisher publisher = publisher().build()) {
      List<PublishResult> results =
          await(publisher.publish(List.of(message(missing, "k", "x"), message(missing, "k", "y"))));

      assertThat(results).allMatch(r -> r instanceof PublishResult.Failed);
      assertThat(((PublishResult.Failed) results.get(0)).cause())
          .hasMessageContaining(missing)
          .hasMessageContaining("no route");
      assertThat(((PublishResult.Failed) results.get(1)).cause()).hasMessageContaining("not sent");
    }
  }

  @Test
  void rejects_headers_rocketmq_cannot_carry() {
    String topic = topic(1);
    RelayMessage reserved =
        new RelayMessage(
            1,
            UUID.randomUUID(),
            topic,
            "k",
            0,
            new byte[1],
            Map.of("TAGS", "x"),
            java.time.Instant.now(),
            0);
    try (RocketMqPublisher publisher = publisher().build()) {
      PublishResult result = await(publisher.publish(List.of(reserved))).get(0);
      assertThat(result).isInstanceOf(PublishResult.Rejected.class);
      assertThat(((PublishResult.Rejected) result).cause()).hasMessageContaining("reserved");
    }
  }

  @Test
  void counts_flush_disk_timeouts_as_not_confirmed_unless_accepted() {
    String topic = topic(2);
    MessageStoreConfig store = rocketmq.storeConfig();
    int before = store.getSyncFlushTimeout();
    store.setSyncFlushTimeout(1);
    try {
      List<RelayMessage> batch = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        batch.add(message(topic, "k" + i, "m" + i));
      }
      try (RocketMqPublisher strict = publisher().build()) {
        List<PublishResult> results = await(strict.publish(batch));
        assertThat(results)
            .anySatisfy(
                r -> {
                  assertThat(r).isInstanceOf(PublishResult.Failed.class);
                  assertThat(((PublishResult.Failed) r).cause())
                      .isInstanceOfSatisfying(
                          NotDurableException.class,
                          e -> assertThat(e.status()).isEqualTo(SendStatus.FLUSH_DISK_TIMEOUT));
                });
        assertThat(results).noneMatch(r -> r instanceof PublishResult.Rejected);
      }
      try (RocketMqPublisher lenient = publisher().acceptUnflushed(true).build()) {
        List<PublishResult> results = await(lenient.publish(batch));
        // Accepted: no message fails for a flush timeout (a busy broker may still refuse some).
        assertThat(results)
            .noneMatch(
                r ->
                    r instanceof PublishResult.Failed failed
                        && failed.cause() instanceof NotDurableException);
        assertThat(results).anyMatch(PublishResult::isConfirmed);
      }
    } finally {
      store.setSyncFlushTimeout(before);
    }
  }

  @Test
  void fails_batches_after_close() {
    RocketMqPublisher publisher = publisher().build();
    publisher.close();
    publisher.close();
    PublishResult result = await(publisher.publish(List.of(message("t", "k", "x")))).get(0);
    assertThat(result).isInstanceOf(PublishResult.Failed.class);
  }

  private static RocketMqReader reader(String topic) {
    try {
      return new RocketMqReader(rocketmq.namesrvAddress(), topic);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
