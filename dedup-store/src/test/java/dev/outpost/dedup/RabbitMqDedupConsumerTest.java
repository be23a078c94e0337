package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.outpost.testing.DelegatingDataSource;
import dev.outpost.testing.LocalRabbitMq;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(OutpostDatabaseExtension.class)
class RabbitMqDedupConsumerTest {

  private static Connection connection;

  private final TestDatabase db;
  private final Dedup dedup;
  private final String suffix = UUID.randomUUID().toString();
  private final String queue = "outpost-dedup-test-" + suffix;
  private final String deadLetterExchange = "outpost-dedup-test-dlx-" + suffix;
  private final String deadLetterQueue = "outpost-dedup-test-dlq-" + suffix;
  private Channel admin;
  private Channel consumerChannel;

  RabbitMqDedupConsumerTest(TestDatabase db) {
    this.db = db;
    this.dedup = Dedup.builder().schema(db.schema()).build();
  }

  @BeforeAll
  static void connect() throws Exception {
    LocalRabbitMq.requireAvailable();
    connection = LocalRabbitMq.connectionFactory().newConnection("outpost-dedup-test");
  }

  @AfterAll
  static void disconnect() throws IOException {
    connection.close();
  }

  @BeforeEach
  void declareQueues() throws IOException {
    EffectTable.create(db);
    admin = connection.createChannel();
    consumerChannel = connection.createChannel();
    admin.exchangeDeclare(deadLetterExchange, "fanout", false, true, null);
    admin.queueDeclare(deadLetterQueue, false, false, false, null);
    admin.queueBind(deadLetterQueue, deadLetterExchange, "");
    declareMainQueue("classic");
  }

  @AfterEach
  void deleteQueues() throws Exception {
    if (consumerChannel.isOpen()) {
      consumerChannel.close();
    }
    admin.queueDelete(queue);
    admin.queueDelete(deadLetterQueue);
    admin.exchangeDelete(deadLetterExchange);
    admin.close();
  }

  @Test
  void processes_a_message_published_twice_once_and_acks_both() throws Exception {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    publish(a, "a");
    publish(b, "b");
    publish(a, "a again");

    try (RabbitMqDedupConsumer consumer = consumer(recordingHandler()).build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> consumer.counts().equals(new DedupCounts(2, 1)));
    }

    assertThat(EffectTable.count(db, a)).isEqualTo(1);
    assertThat(EffectTable.count(db, b)).isEqualTo(1);
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readyMessages(queue) == 0);
    assertThat(threadsNamed("outpost-dedup-rabbit-inventory")).isZero();
  }

  @Test
  void requeues_a_failing_message_and_processes_it_once_when_it_succeeds() throws Exception {
    UUID messageId = UUID.randomUUID();
    publish(messageId, "flaky");
    AtomicInteger attempts = new AtomicInteger();
    RabbitMqDedupConsumer.JdbcHandler failTwice =
        (tx, delivery) -> {
          EffectTable.insert(tx, "inventory", messageId, "attempt");
          if (attempts.incrementAndGet() <= 2) {
            throw new IllegalStateException("stock service down");
          }
        };

    try (RabbitMqDedupConsumer consumer = consumer(failTwice).build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> consumer.counts().processed() == 1);
    }

    assertThat(attempts).hasValue(3);
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    assertThat(readyMessages(deadLetterQueue)).isZero();
  }

  @ParameterizedTest
  @ValueSource(strings = {"classic", "quorum"})
  void rejects_a_message_to_the_dead_letter_exchange_after_max_redeliveries(String queueType)
      throws Exception {
    admin.queueDelete(queue);
    declareMainQueue(queueType);
    UUID messageId = UUID.randomUUID();
    publish(messageId, "poison");
    AtomicInteger attempts = new AtomicInteger();
    RabbitMqDedupConsumer.JdbcHandler alwaysFails =
        (tx, delivery) -> {
          attempts.incrementAndGet();
          throw new IllegalStateException("cannot parse order");
        };

    try (RabbitMqDedupConsumer consumer = consumer(alwaysFails).maxRedeliveries(2).build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> readyMessages(deadLetterQueue) == 1);
    }

    assertThat(attempts).hasValue(3);
    GetResponse deadLetter = admin.basicGet(deadLetterQueue, true);
    assertThat(deadLetter.getProps().getMessageId()).isEqualTo(messageId.toString());
    assertThat(EffectTable.keys(db)).isZero();
    assertThat(readyMessages(queue)).isZero();
  }

  @Test
  void requeues_without_dead_lettering_while_the_database_is_unreachable() throws Exception {
    UUID messageId = UUID.randomUUID();
    publish(messageId, "during outage");
    AtomicInteger refusedConnections = new AtomicInteger();
    DataSource flaky =
        new DelegatingDataSource(db.dataSource()) {
          @Override
          public java.sql.Connection getConnection() throws SQLException {
            if (refusedConnections.incrementAndGet() <= 3) {
              throw new SQLException("connection refused", "08001");
            }
            return super.getConnection();
          }
        };

    try (RabbitMqDedupConsumer consumer =
        consumer(recordingHandler()).dataSource(flaky).maxRedeliveries(0).build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> consumer.counts().processed() == 1);
    }

    assertThat(refusedConnections.get()).isGreaterThan(3);
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    assertThat(readyMessages(deadLetterQueue)).isZero();
  }

  @Test
  void rejects_a_message_without_a_message_id_without_running_the_work() throws Exception {
    admin.basicPublish("", queue, new AMQP.BasicProperties.Builder().build(), new byte[] {1});
    AtomicInteger calls = new AtomicInteger();

    try (RabbitMqDedupConsumer consumer =
        consumer((tx, delivery) -> calls.incrementAndGet()).build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> readyMessages(deadLetterQueue) == 1);
    }

    assertThat(calls).hasValue(0);
  }

  @Test
  void deduplicates_a_message_id_that_is_not_a_uuid_by_its_name() throws Exception {
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder().messageId("order-42-paid").build();
    admin.basicPublish("", queue, properties, "x".getBytes(StandardCharsets.UTF_8));
    admin.basicPublish("", queue, properties, "x".getBytes(StandardCharsets.UTF_8));
    UUID expected = UUID.nameUUIDFromBytes("order-42-paid".getBytes(StandardCharsets.UTF_8));

    try (RabbitMqDedupConsumer consumer =
        consumer((tx, delivery) -> EffectTable.insert(tx, "inventory", expected, "named"))
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> consumer.counts().equals(new DedupCounts(1, 1)));
    }

    assertThat(EffectTable.count(db, expected)).isEqualTo(1);
  }

  @Test
  void runs_a_jooq_handler_on_the_deliverys_transaction() throws Exception {
    UUID messageId = UUID.randomUUID();
    publish(messageId, "jooq");

    try (RabbitMqDedupConsumer consumer =
        RabbitMqDedupConsumer.builder()
            .channel(consumerChannel)
            .queue(queue)
            .consumerName("inventory")
            .dataSource(db.dataSource())
            .dedup(dedup)
            .handler(
                (tx, delivery) ->
                    tx.execute(
                        "INSERT INTO " + EffectTable.NAME + " (consumer, message_id) VALUES (?, ?)",
                        "inventory",
                        delivery.getProperties().getMessageId()))
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> EffectTable.count(db, messageId) == 1);
    }
  }

  @Test
  @dev.outpost.testing.PostgresOnly // crash test in a child JVM: PostgreSQL only
  void skips_the_message_a_consumer_killed_after_the_database_commit_gets_again() throws Exception {
    UUID messageId = UUID.randomUUID();
    publish(messageId, "m");

    ChildJvm child =
        ChildJvm.start(
            RabbitMqCrashChild.class,
            db.jdbcUrl(),
            db.user(),
            db.password(),
            db.schema(),
            LocalRabbitMq.uri(),
            queue,
            "inventory");
    int exit = child.awaitExit(120);

    assertThat(exit).as("child log:\n%s", child.log()).isEqualTo(ChildJvm.CRASH_EXIT_CODE);
    assertThat(child.log()).contains("CRASH POINT");
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    // The broker saw the connection die without an ack and put the message back.
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> readyMessages(queue) == 1);

    try (RabbitMqDedupConsumer restarted = consumer(recordingHandler()).build()) {
      restarted.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> restarted.counts().equals(new DedupCounts(0, 1)));
    }
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    consumerChannel.close();
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> readyMessages(queue) == 0);
  }

  @Test
  void hands_back_unstarted_deliveries_on_close_so_none_is_lost() throws Exception {
    for (int i = 0; i < 50; i++) {
      publish(UUID.randomUUID(), "m" + i);
    }

    RabbitMqDedupConsumer consumer = consumer(recordingHandler()).prefetch(50).build();
    consumer.start();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> EffectTable.count(db) >= 1);
    consumer.close();

    // Every message is either processed (and acked) or back in the queue, while the channel
    // stays open: nothing sits unacknowledged.
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> EffectTable.count(db) + readyMessages(queue) == 50);
  }

  @Test
  void closes_idempotently_with_or_without_start_and_refuses_to_restart() {
    RabbitMqDedupConsumer neverStarted = consumer(recordingHandler()).build();
    neverStarted.close();
    neverStarted.close();
    assertThatThrownBy(neverStarted::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");

    for (int round = 0; round < 5; round++) {
      RabbitMqDedupConsumer consumer = consumer(recordingHandler()).build();
      consumer.start();
      consumer.start();
      consumer.close();
      consumer.close();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> threadsNamed("outpost-dedup-rabbit-inventory") == 0);
  }

  @Test
  void reports_a_missing_queue_on_start() {
    RabbitMqDedupConsumer consumer = consumer(recordingHandler()).queue("no-such-queue").build();

    assertThatThrownBy(consumer::start)
        .isInstanceOf(DedupException.class)
        .hasMessageContaining("no-such-queue");
    consumer.close();
  }

  @Test
  void rejects_bad_configuration_naming_the_field() {
    assertThatThrownBy(() -> consumer(recordingHandler()).maxRedeliveries(-1).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRedeliveries is -1; allowed 0..1000");
    assertThatThrownBy(() -> consumer(recordingHandler()).prefetch(0).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefetch is 0; allowed 1..65535");
    assertThatThrownBy(() -> consumer(recordingHandler()).queue(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queue is ' '");
    assertThatThrownBy(() -> consumer(recordingHandler()).channel(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("channel must not be null");
    assertThatThrownBy(() -> consumer(null).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("none is set");
    assertThatThrownBy(() -> consumer(recordingHandler()).retryDelay(Duration.ofMillis(-1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("retryDelay is PT-0.001S");
  }

  private RabbitMqDedupConsumer.Builder consumer(RabbitMqDedupConsumer.JdbcHandler handler) {
    return RabbitMqDedupConsumer.builder()
        .channel(consumerChannel)
        .queue(queue)
        .consumerName("inventory")
        .dataSource(db.dataSource())
        .dedup(dedup)
        .retryDelay(Duration.ofMillis(10))
        .closeTimeout(Duration.ofSeconds(10))
        .jdbcHandler(handler);
  }

  private static RabbitMqDedupConsumer.JdbcHandler recordingHandler() {
    return (tx, delivery) ->
        EffectTable.insert(
            tx,
            "inventory",
            UUID.fromString(delivery.getProperties().getMessageId()),
            new String(delivery.getBody(), StandardCharsets.UTF_8));
  }

  private void declareMainQueue(String type) throws IOException {
    Map<String, Object> arguments = new HashMap<>();
    arguments.put("x-dead-letter-exchange", deadLetterExchange);
    arguments.put("x-queue-type", type);
    admin.queueDeclare(queue, type.equals("quorum"), false, false, arguments);
  }

  private void publish(UUID messageId, String body) throws IOException {
    AMQP.BasicProperties properties =
        new AMQP.BasicProperties.Builder().messageId(messageId.toString()).deliveryMode(2).build();
    admin.basicPublish("", queue, properties, body.getBytes(StandardCharsets.UTF_8));
  }

  private long readyMessages(String name) throws IOException {
    return admin.queueDeclarePassive(name).getMessageCount();
  }

  private static long threadsNamed(String name) {
    return KafkaDedupConsumerTest.threadsNamed(name);
  }
}
