package dev.outpost.examples;

import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.kafka.KafkaPublisher;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kafka: the relay publishes each message to the topic of its name; one consumer group reads both
 * topics and commits offsets only after the consumer's transaction (with its dedup key)
 * committed, so a crash before the commit means a redelivery that the dedup store skips.
 */
final class KafkaTransport implements Transport {

  private static final Logger log = LoggerFactory.getLogger(KafkaTransport.class);
  private static final List<String> TOPICS = List.of(Events.ORDER_CREATED, Events.ORDER_TIMEOUT);

  private final String bootstrap;
  private final String group;
  private final Consumers consumers;
  private final KafkaPublisher publisher;
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  KafkaTransport(String bootstrap, String schema, Consumers consumers) {
    this.bootstrap = bootstrap;
    this.group = "outpost-example-" + schema;
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
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
    consumer.subscribe(TOPICS);
    thread = new Thread(this::pollLoop, "example-kafka-consumer");
    thread.start();
  }

  private void createTopics() {
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      for (String topic : TOPICS) {
        try {
          admin.createTopics(List.of(new NewTopic(topic, 4, (short) 1))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!(e.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create Kafka topic " + topic + ": " + e.getCause(), e);
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

  private void pollLoop() {
    try {
      while (true) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(500));
        for (TopicPartition partition : records.partitions()) {
          for (ConsumerRecord<byte[], byte[]> record : records.records(partition)) {
            if (!handle(partition, record)) {
              break; // rewound to this record: the rest of the partition comes again
            }
          }
        }
      }
    } catch (WakeupException e) {
      // close() asked us to stop
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  /** Handles and commits one record; on failure rewinds to it so it is polled again. */
  private boolean handle(TopicPartition partition, ConsumerRecord<byte[], byte[]> record) {
    try {
      Header id = record.headers().lastHeader(RelayMessage.MESSAGE_ID_HEADER);
      consumers.deliver(
          record.topic(), UUID.fromString(new String(id.value(), StandardCharsets.UTF_8)), record.value());
      consumer.commitSync(
          Map.of(partition, new OffsetAndMetadata(record.offset() + 1)));
      return true;
    } catch (WakeupException e) {
      throw e;
    } catch (RuntimeException e) {
      log.warn("handling {} at offset {} failed; retrying it", partition, record.offset(), e);
      consumer.seek(partition, record.offset());
      return false;
    }
  }

  @Override
  public void close() {
    if (consumer != null) {
      consumer.wakeup();
    }
    if (thread != null) {
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    publisher.close();
  }
}
