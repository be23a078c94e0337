package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.dedup.internal.KafkaMessageIds;
import dev.outpost.testing.EmbeddedKafka;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class KafkaDedupConsumerTest {

  private static EmbeddedKafka kafka;
  private static KafkaProducer<String, String> producer;

  private final TestDatabase db;
  private final String topic = "dedup-" + UUID.randomUUID();
  private final String group = "group-" + UUID.randomUUID();
  private final Dedup dedup;

  KafkaDedupConsumerTest(TestDatabase db) {
    this.db = db;
    this.dedup = Dedup.builder().schema(db.schema()).build();
  }

  @BeforeAll
  static void startKafka() {
    kafka = EmbeddedKafka.shared();
    producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG,
                "all",
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
                StringSerializer.class));
  }

  @AfterAll
  static void closeProducer() {
    producer.close();
  }

  @BeforeEach
  void setUp() {
    EffectTable.create(db);
    kafka.createTopic(topic, 1);
  }

  @Test
  void processes_a_message_published_twice_once_and_commits_every_offset() throws Exception {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    publish(a, "a");
    publish(b, "b");
    publish(a, "a again");
    publish(c, "c");

    try (KafkaDedupConsumer<String, String> consumer = consumer(recordingHandler()).build()) {
      consumer.start();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> committedOffset() == 4);
      assertThat(consumer.counts()).isEqualTo(new DedupCounts(3, 1));
    }

    assertThat(effectsInOrder()).containsExactly(a + ":a", b + ":b", c + ":c");
    assertThat(threadsNamed("outpost-dedup-kafka-inventory")).isZero();
  }

  @Test
  void retries_a_failing_record_until_it_succeeds_without_skipping_it_or_reordering()
      throws Exception {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    UUID c = UUID.randomUUID();
    publish(a, "a");
    publish(b, "b");
    publish(c, "c");
    AtomicInteger attemptsOfB = new AtomicInteger();
    KafkaDedupConsumer.JdbcHandler<String, String> failTwiceOnB =
        (tx, record) -> {
          EffectTable.insert(tx, "inventory", record.key(), record.value());
          if (record.value().equals("b") && attemptsOfB.incrementAndGet() <= 2) {
            throw new IllegalStateException("stock service down");
          }
        };

    try (KafkaDedupConsumer<String, String> consumer =
        consumer(failTwiceOnB).retryBackoff(Duration.ofMillis(20)).build()) {
      consumer.start();
      Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> committedOffset() == 3);
    }

    assertThat(attemptsOfB).hasValue(3);
    assertThat(effectsInOrder()).containsExactly(a + ":a", b + ":b", c + ":c");
  }

  @Test
  void keys_records_without_the_header_by_topic_partition_and_offset() throws Exception {
    producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString(), "x")).get();
    producer.send(new ProducerRecord<>(topic, UUID.randomUUID().toString(), "y")).get();

    try (KafkaDedupConsumer<String, String> consumer = consumer(recordingHandler()).build()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.runOnce() >= 0 && committedOffset() == 2);
      assertThat(consumer.counts()).isEqualTo(new DedupCounts(2, 0));
    }

    assertThat(dedupKeys())
        .containsExactlyInAnyOrder(
            KafkaMessageIds.fallback(topic, 0, 0), KafkaMessageIds.fallback(topic, 0, 1));
    assertThat(KafkaMessageIds.fallback(topic, 0, 0))
        .isEqualTo(UUID.nameUUIDFromBytes((topic + "/0/0").getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  @dev.outpost.testing.PostgresOnly // crash test in a child JVM: PostgreSQL only
  void skips_the_record_a_consumer_killed_after_the_database_commit_sees_again_on_restart()
      throws Exception {
    UUID messageId = UUID.randomUUID();
    publish(messageId, "m");

    ChildJvm child =
        ChildJvm.start(
            KafkaCrashChild.class,
            db.jdbcUrl(),
            db.user(),
            db.password(),
            db.schema(),
            kafka.bootstrapServers(),
            topic,
            group,
            "inventory");
    int exit = child.awaitExit(120);

    assertThat(exit).as("child log:\n%s", child.log()).isEqualTo(ChildJvm.CRASH_EXIT_CODE);
    assertThat(child.log()).contains("CRASH POINT");
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    assertThat(committedOffset()).as("no offset committed before the crash").isEqualTo(-1);

    try (KafkaDedupConsumer<String, String> restarted = consumer(recordingHandler()).build()) {
      restarted.start();
      Awaitility.await().atMost(Duration.ofSeconds(90)).until(() -> committedOffset() == 1);
      assertThat(restarted.counts()).isEqualTo(new DedupCounts(0, 1));
    }
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
  }

  @Test
  void closes_idempotently_with_or_without_start_and_refuses_to_restart() {
    KafkaDedupConsumer<String, String> neverStarted = consumer(recordingHandler()).build();
    neverStarted.close();
    neverStarted.close();
    assertThatThrownBy(neverStarted::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");

    for (int round = 0; round < 3; round++) {
      KafkaDedupConsumer<String, String> consumer = consumer(recordingHandler()).build();
      consumer.start();
      consumer.start();
      assertThatThrownBy(consumer::runOnce).isInstanceOf(IllegalStateException.class);
      consumer.close();
      consumer.close();
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> threadsNamed("outpost-dedup-kafka-inventory") == 0);
  }

  @Test
  void rejects_bad_configuration_naming_the_field() {
    assertThatThrownBy(
            () ->
                consumer(recordingHandler())
                    .consumerProperties(
                        Map.of(
                            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:1",
                            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class,
                            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                                StringDeserializer.class))
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("lacks 'group.id'");
    Map<String, Object> autoCommit = new HashMap<>(properties());
    autoCommit.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "true");
    assertThatThrownBy(() -> consumer(recordingHandler()).consumerProperties(autoCommit).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("enable.auto.commit=true");
    assertThatThrownBy(() -> consumer(recordingHandler()).handler((tx, record) -> {}).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("both are set");
    assertThatThrownBy(() -> consumer(recordingHandler()).topics(List.of()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("topics is []");
    assertThatThrownBy(() -> consumer(recordingHandler()).consumerName(" ").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("blank");
    assertThatThrownBy(
            () -> consumer(recordingHandler()).maxRetryBackoff(Duration.ofMillis(1)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxRetryBackoff is PT0.001S; allowed: at least retryBackoff (PT1S)");
  }

  @Test
  void runs_a_jooq_handler_on_the_records_transaction() throws Exception {
    UUID messageId = UUID.randomUUID();
    publish(messageId, "jooq");

    try (KafkaDedupConsumer<String, String> consumer =
        KafkaDedupConsumer.<String, String>builder()
            .consumerProperties(properties())
            .topics(List.of(topic))
            .consumerName("inventory")
            .dataSource(db.dataSource())
            .dedup(dedup)
            .handler(
                (tx, record) ->
                    tx.execute(
                        "INSERT INTO "
                            + EffectTable.NAME
                            + " (consumer, message_id, note) VALUES (?, ?, ?)",
                        "inventory",
                        record.key(),
                        record.value()))
            .build()) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.runOnce() >= 0 && committedOffset() == 1);
    }

    assertThat(effectsInOrder()).containsExactly(messageId + ":jooq");
  }

  private KafkaDedupConsumer.Builder<String, String> consumer(
      KafkaDedupConsumer.JdbcHandler<String, String> handler) {
    return KafkaDedupConsumer.<String, String>builder()
        .consumerProperties(properties())
        .topics(List.of(topic))
        .consumerName("inventory")
        .dataSource(db.dataSource())
        .dedup(dedup)
        .pollTimeout(Duration.ofMillis(100))
        .closeTimeout(Duration.ofSeconds(10))
        .jdbcHandler(handler);
  }

  private Map<String, Object> properties() {
    return Map.of(
        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
        kafka.bootstrapServers(),
        ConsumerConfig.GROUP_ID_CONFIG,
        group,
        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
        "earliest",
        ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
        6000,
        ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
        1000,
        ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
        StringDeserializer.class,
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
        StringDeserializer.class);
  }

  private static KafkaDedupConsumer.JdbcHandler<String, String> recordingHandler() {
    return (tx, record) -> EffectTable.insert(tx, "inventory", record.key(), record.value());
  }

  private void publish(UUID messageId, String value) throws Exception {
    ProducerRecord<String, String> record =
        new ProducerRecord<>(topic, messageId.toString(), value);
    record
        .headers()
        .add(
            KafkaDedupConsumer.MESSAGE_ID_HEADER,
            messageId.toString().getBytes(StandardCharsets.UTF_8));
    producer.send(record).get(30, TimeUnit.SECONDS);
  }

  private long committedOffset() throws Exception {
    try (Admin admin = kafka.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin
              .listConsumerGroupOffsets(group)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      OffsetAndMetadata offset = offsets.get(new TopicPartition(topic, 0));
      return offset == null ? -1 : offset.offset();
    }
  }

  private List<String> effectsInOrder() throws SQLException {
    List<String> effects = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT message_id, note FROM " + EffectTable.NAME + " ORDER BY id")) {
      while (rs.next()) {
        effects.add(rs.getString(1) + ":" + rs.getString(2));
      }
    }
    return effects;
  }

  private List<UUID> dedupKeys() throws SQLException {
    List<UUID> keys = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery("SELECT message_id FROM " + db.schema() + ".dedup_key")) {
      while (rs.next()) {
        keys.add(dev.outpost.common.internal.JdbcValues.getUuid(rs, 1, db.dialect()));
      }
    }
    return keys;
  }

  static long threadsNamed(String name) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals(name) && thread.isAlive())
        .count();
  }
}
