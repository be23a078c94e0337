package dev.outpost.relay.rabbitmq;

import static dev.outpost.relay.brokers.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.DeadLetter;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.Deliveries;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import dev.outpost.relay.brokers.DeliveryHistory;
import dev.outpost.relay.brokers.TcpProxy;
import dev.outpost.testing.LocalRabbitMq;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The RabbitMQ publisher driven by the real relay against the local broker. */
@ExtendWith(OutpostDatabaseExtension.class)
class RabbitMqRelayTest {

  private static final Logger log = LoggerFactory.getLogger(RabbitMqRelayTest.class);

  private RabbitFixture rabbit;

  @BeforeEach
  void connect() throws Exception {
    rabbit = new RabbitFixture();
  }

  @AfterEach
  void cleanUp() throws Exception {
    rabbit.close();
  }

  private static Relay.Builder relay(TestDatabase db, RabbitMqPublisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .closePublisher(true)
        .pollInterval(Duration.ofMillis(100))
        .backoffBase(Duration.ofMillis(50))
        .backoffMax(Duration.ofMillis(500));
  }

  @Test
  void dead_letters_an_unroutable_message_after_max_attempts(TestDatabase db) throws Exception {
    String exchange = rabbit.exchange("direct");
    UUID id = send(db, OutboxMessage.to("no-binding").key("k").payload("x").build());

    try (Relay relay =
        relay(db, RabbitMqPublisher.builder().uri(LocalRabbitMq.uri()).exchange(exchange).build())
            .maxAttempts(3)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(relay).size() == 1);

      DeadLetter deadLetter = deadLetters(relay).get(0);
      assertThat(deadLetter.messageId()).isEqualTo(id);
      assertThat(deadLetter.attempts()).isEqualTo(3);
      assertThat(deadLetter.lastError()).contains("unroutable").contains(exchange);
    }
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void dead_letters_a_payload_above_the_size_limit_without_retrying(TestDatabase db)
      throws Exception {
    String queue = rabbit.queue();
    UUID id = send(db, OutboxMessage.to(queue).key("k").payload(new byte[2048]).build());

    try (Relay relay =
        relay(
                db,
                RabbitMqPublisher.builder().uri(LocalRabbitMq.uri()).maxMessageBytes(1024).build())
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(30)).until(() -> deadLetters(relay).size() == 1);

      DeadLetter deadLetter = deadLetters(relay).get(0);
      assertThat(deadLetter.messageId()).isEqualTo(id);
      assertThat(deadLetter.attempts()).isEqualTo(1);
      assertThat(deadLetter.lastError()).contains("maxMessageBytes");
    }
    assertThat(rabbit.count(queue)).isZero();
  }

  @Test
  void retries_nacked_messages_until_the_queue_has_room_and_keeps_their_order(TestDatabase db)
      throws Exception {
    String queue = rabbit.queue(Map.of("x-max-length", 1, "x-overflow", "reject-publish"));
    DeliveryHistory history = new DeliveryHistory();
    history.commit(db.dataSource(), queue, 6, 1, 6);
    List<Map.Entry<UUID, String>> deliveries = new ArrayList<>();

    try (Relay relay =
        relay(db, RabbitMqPublisher.builder().uri(LocalRabbitMq.uri()).build())
            .maxAttempts(1000)
            .build()) {
      relay.start();
      await()
          .atMost(Duration.ofSeconds(180))
          .until(
              () -> {
                rabbit.takeRest(queue).forEach(r -> deliveries.add(delivery(r)));
                return db.queryLong("SELECT count(*) FROM outbox_message") == 0;
              });
      rabbit.takeRest(queue).forEach(r -> deliveries.add(delivery(r)));
      assertThat(deadLetters(relay)).isEmpty();
    }
    Deliveries.Report report = history.check(deliveries);
    assertThat(report.lost()).as(report.toString()).isZero();
    assertThat(report.unexpected()).as(report.toString()).isZero();
    assertThat(report.orderViolations()).as(report.toString()).isZero();
  }

  /**
   * Outages far longer than the retry budget (3 attempts, 50 ms backoff): the circuit breaker
   * pauses the relay, no attempt is counted, nothing is dead-lettered, and publishing resumes
   * within seconds of the broker's return.
   */
  @Test
  @Timeout(600)
  void delivers_10000_messages_through_broker_outages_without_loss_or_reordering(TestDatabase db)
      throws Exception {
    String queue = rabbit.queue();
    DeliveryHistory history = new DeliveryHistory();
    history.commit(db.dataSource(), queue, 10_000, 50, 500);
    ConnectionFactory local = LocalRabbitMq.connectionFactory();
    String connectionName = "outpost-test-outage-" + UUID.randomUUID();
    int threads = 4;
    int batchSize = 200;
    try (TcpProxy proxy = new TcpProxy(local.getHost(), local.getPort())) {
      ConnectionFactory viaProxy = LocalRabbitMq.connectionFactory();
      viaProxy.setHost("127.0.0.1");
      viaProxy.setPort(proxy.port());
      RabbitMqPublisher publisher =
          RabbitMqPublisher.builder()
              .connectionFactory(viaProxy)
              .connectionName(connectionName)
              .recoveryInterval(Duration.ofMillis(300))
              .confirmTimeout(Duration.ofSeconds(5))
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
        log.info("broker down (proxy drops connections) at backlog {}", backlog(db));
        proxy.down();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> relay.health().brokerUnavailableSince() != null);
        assertThat(relay.health().state()).isEqualTo(RelayHealth.State.DEGRADED);
        // Down many times the retry budget: nothing spends an attempt or is dead-lettered.
        await()
            .during(Duration.ofSeconds(5))
            .atMost(Duration.ofSeconds(10))
            .until(() -> retriedAtLeast(db, 1) == 0 && deadLetters(relay).isEmpty());
        long before = backlog(db);
        log.info("broker up again at backlog {}", before);
        long upAt = System.nanoTime();
        proxy.up();
        await().atMost(Duration.ofSeconds(5)).until(() -> backlog(db) < before);
        log.info(
            "publishing resumed {} ms after the broker came back",
            (System.nanoTime() - upAt) / 1_000_000);
        await().atMost(Duration.ofSeconds(180)).until(() -> backlog(db) < 5_000);
        log.info("rabbitmqctl closes the relay's connection at backlog {}", backlog(db));
        assertThat(RabbitCtl.closeConnectionsNamed(connectionName)).isEqualTo(1);
        await().atMost(Duration.ofSeconds(180)).until(() -> backlog(db) == 0);
        assertThat(deadLetters(relay)).isEmpty();
        assertThat(relay.health().brokerUnavailableSince()).isNull();
      }
    }

    List<Map.Entry<UUID, String>> deliveries = new ArrayList<>();
    rabbit.take(queue, 10_000).forEach(r -> deliveries.add(delivery(r)));
    rabbit.takeRest(queue).forEach(r -> deliveries.add(delivery(r)));
    Deliveries.Report report = history.check(deliveries);
    log.info("RabbitMQ outage run: {}", report);
    assertThat(report.lost()).as(report.toString()).isZero();
    assertThat(report.unexpected()).as(report.toString()).isZero();
    assertThat(report.orderViolations()).as(report.toString()).isZero();
    // Only what was in flight when a connection dropped (two outages) can arrive twice.
    assertThat(report.duplicated())
        .as(report.toString())
        .isLessThanOrEqualTo(2 * threads * batchSize);
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

  private static Map.Entry<UUID, String> delivery(GetResponse response) {
    return new AbstractMap.SimpleEntry<>(
        UUID.fromString(response.getProps().getMessageId()), text(response.getBody()));
  }
}
