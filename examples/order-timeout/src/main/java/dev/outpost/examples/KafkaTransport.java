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
import org.apache.kafka.clients.consumer.ConsumerConfig;
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
    try {
      for (Consumers.Consumer consumer : consumers.all()) {
        KafkaTopics.createAndAwait(bootstrap, consumer.topic(), PARTITIONS);
      }
    } catch (IllegalStateException e) {
      throw new BrokerUnavailableException(e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    running.forEach(KafkaDedupConsumer::close);
    publisher.close();
  }
}
