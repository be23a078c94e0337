package dev.outpost.rocketmq;

import static dev.outpost.relay.brokers.TestMessages.message;
import static dev.outpost.relay.brokers.TestMessages.text;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupCounts;
import dev.outpost.relay.Deliveries;
import dev.outpost.relay.RelayMessage;
import dev.outpost.testing.EmbeddedRocketMq;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The RocketMQ dedup consumer against the real in-JVM broker and the test database. */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(180)
class RocketMqDedupConsumerTest {

  private static final EmbeddedRocketMq rocketmq = EmbeddedRocketMq.shared();

  private TestDatabase db;
  private String topic;
  private String group;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    Effects.create(db);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    topic = "outpost-consume-" + suffix;
    group = "outpost-group-" + suffix;
    rocketmq.createTopic(topic, 4);
  }

  private RocketMqDedupConsumer.Builder consumer() {
    return RocketMqDedupConsumer.builder()
        .namesrvAddress(rocketmq.namesrvAddress())
        .topic(topic)
        .consumerGroup(group)
        .consumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET)
        .dataSource(db.dataSource())
        .dedup(Dedup.builder().schema(db.schema()).build());
  }

  private static void publish(List<RelayMessage> messages) {
    try (RocketMqPublisher publisher =
        RocketMqPublisher.builder().namesrvAddress(rocketmq.namesrvAddress()).build()) {
      Publishing.untilConfirmed(publisher, messages);
    }
  }

  @Test
  void processes_each_message_once_and_skips_a_message_sent_again() {
    List<RelayMessage> messages = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      messages.add(message(topic, "k" + (i % 3), "m" + i));
    }
    publish(messages);
    // The relay sends a message again after a crash between confirm and delete.
    publish(messages.subList(0, 5));

    try (RocketMqDedupConsumer consumer =
        consumer()
            .jdbcHandler(
                (tx, message) -> Effects.insert(tx, group, RocketMqReader.messageId(message), "x"))
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.counts().equals(new DedupCounts(20, 5)));
    }
    assertThat(Effects.count(db, group)).isEqualTo(20);
    assertThat(Effects.maxPerMessage(db, group)).isEqualTo(1);
  }

  @Test
  void keeps_per_key_order_when_consuming_orderly() {
    int count = 1_000;
    List<RelayMessage> messages = new ArrayList<>();
    List<UUID> committed = new ArrayList<>();
    Map<UUID, Deliveries.Delivery> sent = new HashMap<>();
    for (int i = 0; i < count; i++) {
      String key = "key-" + (i % 10);
      RelayMessage message = message(topic, key, key + ":" + (i / 10));
      messages.add(message);
      committed.add(message.messageId());
      sent.put(message.messageId(), new Deliveries.Delivery(message.messageId(), key, i / 10));
    }
    publish(messages);

    List<Deliveries.Delivery> history = Collections.synchronizedList(new ArrayList<>());
    try (RocketMqDedupConsumer consumer =
        consumer()
            .orderly(true)
            .consumeThreads(4)
            .jdbcHandler(
                (tx, message) -> {
                  UUID id = RocketMqReader.messageId(message);
                  history.add(sent.get(id));
                  Effects.insert(tx, group, id, text(message.getBody()));
                })
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.counts().processed() == count);
    }
    Deliveries.Report report = Deliveries.classify(committed, history);
    assertThat(report.lost()).as(report.toString()).isZero();
    assertThat(report.orderViolations()).as(report.toString()).isZero();
    assertThat(Effects.maxPerMessage(db, group)).isEqualTo(1);
  }

  @Test
  void sends_a_message_that_keeps_failing_to_the_dead_letter_queue_and_goes_on() {
    RelayMessage poison = message(topic, "a", "poison");
    List<RelayMessage> messages = new ArrayList<>(List.of(poison));
    for (int i = 0; i < 10; i++) {
      messages.add(message(topic, "k" + i, "good " + i));
    }
    publish(messages);

    try (RocketMqDedupConsumer consumer =
        consumer()
            .maxReconsumeTimes(1)
            // The broker creates the retry topic on the first failure; learn its route soon.
            .consumerCustomizer(c -> c.setPollNameServerInterval(500))
            .jdbcHandler(
                (tx, message) -> {
                  if (text(message.getBody()).equals("poison")) {
                    throw new IllegalStateException("cannot process poison");
                  }
                  Effects.insert(tx, group, RocketMqReader.messageId(message), "x");
                })
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.counts().processed() == 10);
      List<MessageExt> dead = new ArrayList<>();
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .ignoreExceptions()
          .until(
              () -> {
                try (RocketMqReader reader =
                    new RocketMqReader(rocketmq.namesrvAddress(), "%DLQ%" + group)) {
                  dead.addAll(reader.read(1));
                }
                return true;
              });
      assertThat(RocketMqReader.messageId(dead.get(0))).isEqualTo(poison.messageId());
    }
    assertThat(Effects.count(db, group)).isEqualTo(10);
  }

  @Test
  void a_consumer_killed_after_the_commit_before_the_ack_has_its_effect_once() throws Exception {
    RelayMessage message = message(topic, "k", "crash me");
    publish(List.of(message));

    Path log = Files.createTempFile("outpost-rocketmq-crash-child", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(CrashingConsumerMain.class.getName());
    command.addAll(
        List.of(
            db.jdbcUrl(),
            db.user(),
            db.password(),
            db.schema(),
            rocketmq.namesrvAddress(),
            topic,
            group));
    Process child =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      assertThat(child.waitFor(120, TimeUnit.SECONDS)).as("child exited").isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).as(Files.readString(log)).isEqualTo(137);
    assertThat(Files.readString(log)).contains("CRASH POINT");
    assertThat(Effects.count(db, group)).isEqualTo(1);

    // RocketMQ never heard that the message was consumed: the group gets it again.
    try (RocketMqDedupConsumer restarted =
        consumer()
            .jdbcHandler((tx, m) -> Effects.insert(tx, group, RocketMqReader.messageId(m), "again"))
            .build()) {
      restarted.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(90))
          .until(() -> restarted.counts().equals(new DedupCounts(0, 1)));
    }
    assertThat(Effects.count(db, group)).isEqualTo(1);
  }
}
