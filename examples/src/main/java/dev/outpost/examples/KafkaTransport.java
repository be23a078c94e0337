package dev.outpost.examples;

import dev.outpost.dedup.KafkaDedupConsumer;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.kafka.KafkaPublisher;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Kafka: the relay publishes each message to the topic of its name (record key = order id); each
 * consumer reads its topic with Outpost's {@link KafkaDedupConsumer} in a consumer group of its
 * own, which commits offsets only after the consumer's transaction (with its dedup key) committed.
 */
final class KafkaTransport implements Transport {

  private static final int PARTITIONS = 4;

  private final String bootstrap;
  private final String groupPrefix;
  private final Consumers consumers;
  private final KafkaPublisher publisher;
  private final List<KafkaDedupConsumer<byte[], byte[]>> running = new ArrayList<>();

  KafkaTransport(String bootstrap, String schema, Consumers consumers) {
    this.bootstrap = bootstrap;
    this.groupPrefix = "outpost-example-" + schema + "-";
    this.consumers = consumers;
    this.publisher = KafkaPublisher.builder().bootstrapServers(bootstrap).build();
  }

  @Override
  public Publisher publisher() {
    return publisher;
  }

  @Override
  public void startConsumers() {
    createTopics();
    for (Consumers.Consumer consumer : consumers.all()) {
      KafkaDedupConsumer<byte[], byte[]> kafka =
          KafkaDedupConsumer.<byte[], byte[]>builder()
              .consumerProperties(
                  Map.of(
                      ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                      bootstrap,
                      ConsumerConfig.GROUP_ID_CONFIG,
                      groupPrefix + consumer.name(),
                      ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                      "earliest",
                      ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                      ByteArrayDeserializer.class,
                      ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                      ByteArrayDeserializer.class))
              .topics(List.of(consumer.topic()))
              .consumerName(consumer.name())
              .dataSource(consumers.db().dataSource())
              .dedup(consumers.dedup())
              .jdbcHandler(
                  (tx, record) -> {
                    byte[] id = record.headers().lastHeader(RelayMessage.MESSAGE_ID_HEADER).value();
                    consumer
                        .work()
                        .run(
                            tx,
                            UUID.fromString(new String(id, StandardCharsets.UTF_8)),
                            record.value());
                  })
              .build();
      running.add(kafka);
      kafka.start();
    }
  }

  private void createTopics() {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      for (Consumers.Consumer consumer : consumers.all()) {
        try {
          admin
              .createTopics(List.of(new NewTopic(consumer.topic(), PARTITIONS, (short) 1)))
              .all()
              .get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create Kafka topic " + consumer.topic() + ": " + e.getCause(), e);
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topics", e);
    } catch (TimeoutException e) {
      throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within 30 s", e);
    }
  }

  @Override
  public void close() {
    running.forEach(KafkaDedupConsumer::close);
    publisher.close();
  }
}
