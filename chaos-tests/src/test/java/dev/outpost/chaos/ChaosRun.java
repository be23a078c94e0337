package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DeliverCallback;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.Deliveries;
import dev.outpost.testing.EmbeddedKafka;
import dev.outpost.testing.LocalRabbitMq;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.awaitility.core.ConditionTimeoutException;

/**
 * One chaos scenario's world: the chaos PostgreSQL emptied, a fresh RabbitMQ queue with a consumer
 * in the test JVM recording every delivery (message id, key, sequence) before anything else, the
 * committed message ids, and the child JVMs to clean up. {@link #judge} classifies the history with
 * the shared checker ({@link Deliveries}), prints the figures and asserts them.
 */
final class ChaosRun implements AutoCloseable {

  final ChaosPostgres db = ChaosPostgres.shared();
  final String queue;
  private final String scenario;
  private final Outbox outbox = Outbox.builder().build();
  private final List<UUID> committed = Collections.synchronizedList(new ArrayList<>());
  private final List<Deliveries.Delivery> history = Collections.synchronizedList(new ArrayList<>());
  private final Set<UUID> distinct = ConcurrentHashMap.newKeySet();
  private final List<ChildJvm> children = Collections.synchronizedList(new ArrayList<>());
  private final Connection connection;
  private final Channel channel;
  private final KafkaHistoryReader kafkaReader;
  private int sequence;

  /** A run whose relays publish to a fresh queue of the shared RabbitMQ. */
  ChaosRun(String scenario) throws Exception {
    this(scenario, null);
  }

  /**
   * A run whose relays publish to a fresh topic (8 partitions) of {@code kafka}, or, when it is
   * null, to a fresh queue of the shared RabbitMQ.
   */
  ChaosRun(String scenario, EmbeddedKafka kafka) throws Exception {
    this.scenario = scenario;
    this.queue = "outpost-chaos-" + scenario + "-" + UUID.randomUUID().toString().substring(0, 8);
    db.truncateOutpostTables();
    if (kafka == null) {
      connection = LocalRabbitMq.connectionFactory().newConnection("chaos-consumer-" + scenario);
      channel = connection.createChannel();
      channel.queueDeclare(queue, true, false, false, null);
      DeliverCallback record =
          (tag, delivery) -> {
            String[] body = new String(delivery.getBody(), StandardCharsets.UTF_8).split(":");
            record(UUID.fromString(delivery.getProperties().getMessageId()), body);
          };
      channel.basicConsume(queue, true, record, tag -> {});
      kafkaReader = null;
    } else {
      connection = null;
      channel = null;
      kafka.createTopic(queue, 8);
      kafkaReader = new KafkaHistoryReader(kafka.bootstrapServers(), queue, this::record);
    }
  }

  private void record(UUID id, String[] body) {
    history.add(new Deliveries.Delivery(id, body[0], Long.parseLong(body[1])));
    distinct.add(id);
  }

  /** The AMQP URI of the shared broker (the relays reach it directly or through a proxy). */
  static String amqpUri() {
    return LocalRabbitMq.uri();
  }

  /**
   * Commits {@code count} messages over {@code keys} keys through the real outbox writer (500 per
   * transaction); payload {@code key:sequence}, the sequence rising in commit order.
   */
  void write(int count, int keys) {
    List<OutboxMessage> chunk = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int n = sequence++;
      String key = "k" + (n % keys);
      chunk.add(
          OutboxMessage.to(queue)
              .key(key)
              .payload((key + ":" + n).getBytes(StandardCharsets.UTF_8))
              .build());
      if (chunk.size() == 500 || i == count - 1) {
        commit(chunk);
        chunk.clear();
      }
    }
  }

  private void commit(List<OutboxMessage> messages) {
    try (java.sql.Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      List<UUID> ids = outbox.sendAll(tx, messages);
      tx.commit();
      committed.addAll(ids);
    } catch (SQLException e) {
      throw new IllegalStateException("could not commit test messages: " + e, e);
    }
  }

  /** Starts a relay node in a child JVM; killed at the end of the run at the latest. */
  ChildJvm relay(String name, String amqpUri, RelayNode.Settings settings) {
    ChildJvm child = RelayNode.start(name, db, amqpUri, settings);
    children.add(child);
    return child;
  }

  /** Delivered messages so far (distinct ids). */
  int delivered() {
    return distinct.size();
  }

  int committedCount() {
    return committed.size();
  }

  long outboxRows() {
    return db.queryLong("SELECT count(*) FROM outbox_message");
  }

  long deadLetters() {
    return db.queryLong("SELECT count(*) FROM outbox_dead_letter");
  }

  /** Waits until {@code delivered() >= n}, failing if a relay JVM died by itself. */
  void awaitDelivered(int n, Duration atMost) {
    try {
      awaitDeliveredOrTimeout(n, atMost);
    } catch (ConditionTimeoutException e) {
      throw new AssertionError(
          "delivered " + delivered() + " of " + n + " needed; sessions:" + db.activity(), e);
    }
  }

  private void awaitDeliveredOrTimeout(int n, Duration atMost) {
    await()
        .atMost(atMost)
        .pollInterval(Duration.ofMillis(20))
        .until(
            () -> {
              for (ChildJvm child : children) {
                assertThat(child.isAlive() || child.killedByTest())
                    .as("%s died by itself; see %s", child.name(), child.logFile())
                    .isTrue();
              }
              return delivered() >= n;
            });
  }

  /**
   * Waits until the outbox is empty and every committed message arrived, or {@code atMost} passed
   * (then the checker reports what is missing), then a little more for stragglers.
   */
  void awaitDrained(Duration atMost) {
    try {
      await()
          .atMost(atMost)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> outboxRows() == 0 && distinct.containsAll(committed));
      // Duplicates still in flight (a batch re-sent by a survivor) are part of the history: wait
      // for a second without new deliveries.
      java.util.concurrent.atomic.AtomicInteger last =
          new java.util.concurrent.atomic.AtomicInteger(-1);
      await()
          .pollDelay(Duration.ofSeconds(1))
          .pollInterval(Duration.ofSeconds(1))
          .atMost(Duration.ofSeconds(15))
          .until(() -> last.getAndSet(history.size()) == history.size());
    } catch (ConditionTimeoutException e) {
      // judged below: the report names lost messages
    }
  }

  /**
   * Classifies the history, prints the figures, and asserts lost 0, unexpected 0, order violations
   * 0, dead letters 0, and duplicates within {@code duplicateBound}.
   */
  Deliveries.Report judge(int duplicateBound) {
    Deliveries.Report report;
    synchronized (history) {
      report = Deliveries.classify(new ArrayList<>(committed), new ArrayList<>(history));
    }
    long deadLetters = deadLetters();
    String figures =
        String.format(
            "CHAOS %-28s committed=%d delivered=%d lost=%d unexpected=%d duplicated=%d"
                + " (bound %d) orderViolations=%d deadLetters=%d%s",
            scenario,
            report.committed(),
            report.delivered(),
            report.lost(),
            report.unexpected(),
            report.duplicated(),
            duplicateBound,
            report.orderViolations(),
            deadLetters,
            report.violationExamples().isEmpty() ? "" : " e.g. " + report.violationExamples());
    System.out.println(figures);
    assertThat(report.lost()).as("lost: %s", figures).isZero();
    assertThat(report.unexpected()).as("unexpected: %s", figures).isZero();
    assertThat(report.orderViolations()).as("order violations: %s", figures).isZero();
    assertThat(deadLetters).as("dead letters: %s", figures).isZero();
    assertThat(report.duplicated())
        .as("duplicates: %s", figures)
        .isLessThanOrEqualTo(duplicateBound);
    return report;
  }

  @Override
  public void close() throws Exception {
    for (ChildJvm child : children) {
      child.close();
    }
    if (kafkaReader != null) {
      kafkaReader.close();
      return;
    }
    try {
      channel.queueDelete(queue);
    } finally {
      connection.close();
    }
  }
}
