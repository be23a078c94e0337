package dev.outpost.rocketmq;

import static dev.outpost.relay.brokers.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.DeadLetter;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.Deliveries;
import dev.outpost.relay.Relay;
import dev.outpost.relay.brokers.DeliveryHistory;
import dev.outpost.testing.EmbeddedRocketMq;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.rocketmq.common.message.MessageExt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The RocketMQ publisher driven by the real relay against the real in-JVM broker. */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(300)
class RocketMqRelayTest {

  private static final Logger log = LoggerFactory.getLogger(RocketMqRelayTest.class);
  private static final EmbeddedRocketMq rocketmq = EmbeddedRocketMq.shared();

  private static Relay.Builder relay(TestDatabase db, RocketMqPublisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .closePublisher(true)
        .pollInterval(Duration.ofMillis(100))
        .backoffBase(Duration.ofMillis(50))
        .backoffMax(Duration.ofMillis(500));
  }

  private static String topic() {
    String topic = "outpost-relay-" + UUID.randomUUID().toString().substring(0, 8);
    rocketmq.createTopic(topic, 8);
    return topic;
  }

  @Test
  void relays_committed_messages_end_to_end_in_key_order(TestDatabase db) {
    String topic = topic();
    DeliveryHistory history = new DeliveryHistory();
    history.commit(db.dataSource(), topic, 3_000, 40, 100);
    try (Relay relay =
        relay(db, RocketMqPublisher.builder().namesrvAddress(rocketmq.namesrvAddress()).build())
            .threads(2)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(120)).until(() -> backlog(db) == 0);
      assertThat(deadLetters(relay)).isEmpty();
    }
    Deliveries.Report report = history.check(read(topic, history.committedIds()));
    assertThat(report.lost()).as(report.toString()).isZero();
    assertThat(report.unexpected()).as(report.toString()).isZero();
    assertThat(report.duplicated()).as(report.toString()).isZero();
    assertThat(report.orderViolations()).as(report.toString()).isZero();
  }

  @Test
  void delivers_through_a_broker_stop_without_loss_or_reordering(TestDatabase db) {
    int threads = 4;
    int batchSize = 200;
    String topic = topic();
    DeliveryHistory history = new DeliveryHistory();
    history.commit(db.dataSource(), topic, 8_000, 50, 500);
    RocketMqPublisher publisher =
        RocketMqPublisher.builder()
            .namesrvAddress(rocketmq.namesrvAddress())
            .sendTimeout(Duration.ofSeconds(2))
            .build();
    try (Relay relay =
        relay(db, publisher)
            .threads(threads)
            .batchSize(batchSize)
            .maxAttempts(1000)
            // Slow enough that the broker stops while most of the backlog is still there.
            .rateLimitPerSecond(2_000)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(120)).until(() -> backlog(db) < 6_000);
      log.info("RocketMQ broker stops at backlog {}", backlog(db));
      rocketmq.stopBroker();
      try {
        // A stopped broker is unavailable, not the messages' fault: the relay pauses behind its
        // circuit breaker and spends no attempts.
        await()
            .atMost(Duration.ofSeconds(120))
            .until(() -> relay.health().brokerUnavailableSince() != null);
        assertThat(retriedAtLeast(db, 1)).isZero();
        log.info("RocketMQ broker starts again; the relay paused and retried nothing");
      } finally {
        rocketmq.startBroker();
      }
      await().atMost(Duration.ofSeconds(180)).until(() -> backlog(db) == 0);
      assertThat(deadLetters(relay)).isEmpty();
    }
    Deliveries.Report report = history.check(read(topic, history.committedIds()));
    log.info("RocketMQ outage run: {}", report);
    assertThat(report.lost()).as(report.toString()).isZero();
    assertThat(report.unexpected()).as(report.toString()).isZero();
    assertThat(report.orderViolations()).as(report.toString()).isZero();
    // Only batches in flight when the broker stopped can arrive twice.
    assertThat(report.duplicated()).as(report.toString()).isLessThanOrEqualTo(threads * batchSize);
  }

  @Test
  void dead_letters_a_message_for_a_missing_topic_after_max_attempts(TestDatabase db)
      throws Exception {
    String missing = "outpost-missing-" + UUID.randomUUID().toString().substring(0, 8);
    UUID id;
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      id =
          Outbox.builder().build().send(c, OutboxMessage.to(missing).key("k").payload("x").build());
      c.commit();
    }
    try (Relay relay =
        relay(db, RocketMqPublisher.builder().namesrvAddress(rocketmq.namesrvAddress()).build())
            .maxAttempts(2)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(60)).until(() -> deadLetters(relay).size() == 1);
      DeadLetter deadLetter = deadLetters(relay).get(0);
      assertThat(deadLetter.messageId()).isEqualTo(id);
      assertThat(deadLetter.attempts()).isEqualTo(2);
      assertThat(deadLetter.lastError()).contains(missing).contains("no route");
    }
  }

  private static List<Map.Entry<UUID, String>> read(String topic, Set<UUID> expected) {
    List<Map.Entry<UUID, String>> deliveries = new ArrayList<>();
    try (RocketMqReader reader = new RocketMqReader(rocketmq.namesrvAddress(), topic)) {
      List<MessageExt> messages =
          reader.readUntil(
              read ->
                  read.stream()
                      .map(RocketMqReader::messageId)
                      .collect(Collectors.toSet())
                      .containsAll(expected));
      if (log.isDebugEnabled() || Boolean.getBoolean("outpost.test.trace")) {
        for (MessageExt message : messages) {
          log.info(
              "read {} q{} @{} born {}",
              text(message.getBody()),
              message.getQueueId(),
              message.getQueueOffset(),
              message.getBornTimestamp());
        }
      }
      for (MessageExt message : messages) {
        deliveries.add(
            new AbstractMap.SimpleEntry<>(
                RocketMqReader.messageId(message), text(message.getBody())));
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return deliveries;
  }

  private static List<DeadLetter> deadLetters(Relay relay) {
    return relay.deadLetters().list(DeadLetterFilter.all(), 0, 100);
  }

  private static long backlog(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM outbox_message");
  }

  private static long retriedAtLeast(TestDatabase db, int attempts) {
    return db.queryLong("SELECT count(*) FROM outbox_message WHERE attempts >= " + attempts);
  }
}
