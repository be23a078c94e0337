package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import dev.outpost.testing.EmbeddedKafka;
import dev.outpost.testing.LocalRabbitMq;
import dev.outpost.testing.TestRedis;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The consumer helpers with the Redis store, against real brokers and a real Redis. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RedisDedupConsumersTest {

  private final String prefix = TestRedis.uniqueKeyPrefix();
  private final RedisDedup redis =
      RedisDedup.builder().uri(TestRedis.shared().url()).keyPrefix(prefix).build();
  private final List<String> effects = new CopyOnWriteArrayList<>();

  @AfterEach
  void close() {
    redis.close();
    RedisClient client = RedisClient.create(TestRedis.shared().url());
    try (StatefulRedisConnection<String, String> connection = client.connect()) {
      List<String> keys = connection.sync().keys(prefix + "*");
      if (!keys.isEmpty()) {
        connection.sync().del(keys.toArray(String[]::new));
      }
    } finally {
      client.shutdown();
    }
  }

  @Test
  void kafka_consumer_with_the_redis_store_runs_each_message_once_and_retries_a_failure()
      throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    String topic = "redis-dedup-" + UUID.randomUUID();
    String group = "group-" + UUID.randomUUID();
    kafka.createTopic(topic, 1);
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class,
                ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class))) {
      for (String[] m :
          new String[][] {{a.toString(), "a"}, {b.toString(), "b"}, {a.toString(), "a"}}) {
        ProducerRecord<String, String> record = new ProducerRecord<>(topic, m[0], m[1]);
        record
            .headers()
            .add(KafkaDedupConsumer.MESSAGE_ID_HEADER, m[0].getBytes(StandardCharsets.UTF_8));
        producer.send(record).get(30, TimeUnit.SECONDS);
      }
    }
    AtomicInteger attemptsOfB = new AtomicInteger();

    try (KafkaDedupConsumer<String, String> consumer =
        KafkaDedupConsumer.<String, String>builder()
            .consumerProperties(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG,
                    group,
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest",
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class))
            .topics(List.of(topic))
            .consumerName("sms")
            .retryBackoff(Duration.ofMillis(20))
            .dedupStore(
                redis,
                (RedisClaim claim,
                    org.apache.kafka.clients.consumer.ConsumerRecord<String, String> r) -> {
                  if (r.value().equals("b") && attemptsOfB.incrementAndGet() == 1) {
                    throw new IllegalStateException("SMS gateway down");
                  }
                  effects.add(claim.messageId() + ":" + r.value());
                })
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> committedOffset(kafka, group, topic) == 3);
      assertThat(consumer.counts()).isEqualTo(new DedupCounts(2, 1));
    }

    assertThat(effects).containsExactly(a + ":a", b + ":b");
    assertThat(attemptsOfB).hasValue(2);
  }

  @Test
  void rabbitmq_consumer_with_the_redis_store_runs_each_message_once_and_acks_duplicates()
      throws Exception {
    LocalRabbitMq.requireAvailable();
    String queue = "outpost-redis-dedup-" + UUID.randomUUID();
    try (Connection connection =
            LocalRabbitMq.connectionFactory().newConnection("outpost-redis-dedup-test");
        Channel admin = connection.createChannel();
        Channel consuming = connection.createChannel()) {
      admin.queueDeclare(queue, false, false, false, null);
      UUID a = UUID.randomUUID();
      UUID b = UUID.randomUUID();
      for (UUID id : List.of(a, b, a)) {
        admin.basicPublish(
            "",
            queue,
            new AMQP.BasicProperties.Builder().messageId(id.toString()).deliveryMode(2).build(),
            id.toString().getBytes(StandardCharsets.UTF_8));
      }

      try (RabbitMqDedupConsumer consumer =
          RabbitMqDedupConsumer.builder()
              .channel(consuming)
              .queue(queue)
              .consumerName("sms")
              .dedupStore(
                  redis,
                  (RedisClaim claim, com.rabbitmq.client.Delivery delivery) ->
                      effects.add(new String(delivery.getBody(), StandardCharsets.UTF_8)))
              .build()) {
        consumer.start();
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> consumer.counts().equals(new DedupCounts(2, 1)));
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> admin.queueDeclarePassive(queue).getMessageCount() == 0);
      }

      assertThat(effects).containsExactly(a.toString(), b.toString());
      assertThat(admin.queueDeclarePassive(queue).getMessageCount()).isZero();
      admin.queueDelete(queue);
    }
  }

  @Test
  void rejects_a_store_mixed_with_the_database_path() {
    assertThatThrownBy(
            () ->
                KafkaDedupConsumer.<String, String>builder()
                    .consumerFactory(() -> null)
                    .topics(List.of("t"))
                    .consumerName("sms")
                    .dedupStore(redis, (claim, record) -> {})
                    .jdbcHandler((tx, record) -> {})
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dedupStore(store, handler) replaces");
    assertThatThrownBy(
            () ->
                RabbitMqDedupConsumer.builder()
                    .channel(proxyChannel())
                    .queue("q")
                    .consumerName("sms")
                    .dedupStore(null, (claim, delivery) -> {})
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("store is null");
  }

  private static Channel proxyChannel() {
    return (Channel)
        java.lang.reflect.Proxy.newProxyInstance(
            Channel.class.getClassLoader(), new Class<?>[] {Channel.class}, (p, m, a) -> null);
  }

  private static long committedOffset(EmbeddedKafka kafka, String group, String topic)
      throws Exception {
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
}
