package dev.outpost.relay.kafka;

import static dev.outpost.relay.brokers.TestMessages.text;
import static java.util.stream.Collectors.toSet;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.DeadLetter;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.Deliveries;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.DeliveryHistory;
import dev.outpost.testing.EmbeddedKafka;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The Kafka publisher driven by the real relay against a real in-JVM broker. */
@ExtendWith(OutpostDatabaseExtension.class)
class KafkaRelayTest {

  private static final Logger log = LoggerFactory.getLogger(KafkaRelayTest.class);

  private static Relay.Builder relay(TestDatabase db, KafkaPublisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .closePublisher(true)
        .pollInterval(Duration.ofMillis(100))
        .backoffBase(Duration.ofMillis(50))
        .backoffMax(Duration.ofMillis(500));
  }

  @Test
  void dead_letters_a_record_above_max_request_size_without_retrying(TestDatabase db)
      throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    String topic = "outpost-relay-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    UUID id = send(db, OutboxMessage.to(topic).key("k").payload(new byte[20_000]).build());

    try (Relay relay =
        relay(
                db,
                KafkaPublisher.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .producerProperty("max.request.size", 10_000)
                    .build())
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(relay).size() == 1);

      DeadLetter deadLetter = deadLetters(relay).get(0);
      assertThat(deadLetter.messageId()).isEqualTo(id);
      assertThat(deadLetter.attempts()).isEqualTo(1);
      assertThat(deadLetter.lastError()).contains("max.request.size");
    }
  }

  @Test
  void dead_letters_a_message_for_a_missing_topic_after_max_attempts(TestDatabase db)
      throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    String missing = "outpost-missing-" + UUID.randomUUID();
    UUID id = send(db, OutboxMessage.to(missing).key("k").payload("x").build());

    try (Relay relay =
        relay(
                db,
                KafkaPublisher.builder()
                    .bootstrapServers(kafka.bootstrapServers())
                    .maxBlock(Duration.ofMillis(200))
                    .build())
            .maxAttempts(2)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(relay).size() == 1);

      DeadLetter deadLetter = deadLetters(relay).get(0);
      assertThat(deadLetter.messageId()).isEqualTo(id);
      assertThat(deadLetter.attempts()).isEqualTo(2);
      assertThat(deadLetter.lastError()).contains(missing).contains("not present in metadata");
    }
  }

  /**
   * A broker outage far longer than the retry budget (3 attempts, 50 ms backoff): the circuit
   * breaker pauses the relay, no attempt is counted, nothing is dead-lettered, and publishing
   * resumes within seconds of the broker's return.
   */
  @Test
  @Timeout(600)
  void delivers_10000_messages_through_a_broker_restart_without_loss_or_reordering(
      TestDatabase db) {
    int threads = 4;
    int batchSize = 200;
    try (EmbeddedKafka kafka = EmbeddedKafka.start()) {
      String topic = "outpost-outage";
      kafka.createTopic(topic, 8);
      DeliveryHistory history = new DeliveryHistory();
      history.commit(db.dataSource(), topic, 10_000, 50, 500);
      KafkaPublisher publisher =
          KafkaPublisher.builder()
              .bootstrapServers(kafka.bootstrapServers())
              .sendTimeout(Duration.ofSeconds(3))
              .requestTimeout(Duration.ofSeconds(1))
              .maxBlock(Duration.ofSeconds(2))
              .build();
      try (Relay relay =
          relay(db, publisher)
              .threads(threads)
              .batchSize(batchSize)
              .maxAttempts(3)
              .probeInterval(Duration.ofMillis(200))
              // Slow enough that the broker stops while most of the backlog is still there.
              .rateLimitPerSecond(2_000)
              .build()) {
        relay.start();
        await().atMost(Duration.ofSeconds(180)).until(() -> backlog(db) < 7_000);
        log.info("Kafka broker stops at backlog {}", backlog(db));
        kafka.stopBroker();
        // In-flight sends fail after the send timeout; the cluster does not answer: unavailable.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> relay.health().brokerUnavailableSince() != null);
        assertThat(relay.health().state()).isEqualTo(RelayHealth.State.DEGRADED);
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(10))
            .until(() -> retriedAtLeast(db, 1) == 0 && deadLetters(relay).isEmpty());
        long before = backlog(db);
        log.info("Kafka broker starts again at backlog {}", before);
        kafka.startBroker();
        long upAt = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).until(() -> backlog(db) < before);
        log.info(
            "publishing resumed {} ms after the broker was ready again",
            (System.nanoTime() - upAt) / 1_000_000);
        await().atMost(Duration.ofSeconds(180)).until(() -> backlog(db) == 0);
        assertThat(deadLetters(relay)).isEmpty();
        assertThat(retriedAtLeast(db, 1)).isZero();
      }

      List<Map.Entry<UUID, String>> deliveries = new ArrayList<>();
      Set<UUID> expected = history.committedIds();
      try (KafkaReader reader = new KafkaReader(kafka.bootstrapServers(), topic)) {
        List<ConsumerRecord<byte[], byte[]>> records =
            reader.readUntil(
                read ->
                    read.stream()
                        .map(KafkaRelayTest::messageId)
                        .collect(toSet())
                        .containsAll(expected));
        for (ConsumerRecord<byte[], byte[]> record : records) {
          deliveries.add(new AbstractMap.SimpleEntry<>(messageId(record), text(record.value())));
        }
      }
      Deliveries.Report report = history.check(deliveries);
      log.info("Kafka outage run: {}", report);
      assertThat(report.lost()).as(report.toString()).isZero();
      assertThat(report.unexpected()).as(report.toString()).isZero();
      assertThat(report.orderViolations()).as(report.toString()).isZero();
      // Only batches in flight when the broker stopped can arrive twice.
      assertThat(report.duplicated())
          .as(report.toString())
          .isLessThanOrEqualTo(threads * batchSize);
    }
  }

  private static UUID messageId(ConsumerRecord<byte[], byte[]> record) {
    return UUID.fromString(KafkaPublisherTest.headers(record).get(RelayMessage.MESSAGE_ID_HEADER));
  }

  private static UUID send(TestDatabase db, OutboxMessage message) throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      UUID id = Outbox.builder().build().send(c, message);
      c.commit();
      return id;
    }
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
