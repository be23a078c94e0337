package dev.outpost.examples.basics;

import dev.outpost.relay.Relay;
import dev.outpost.relay.kafka.KafkaPublisher;
import javax.sql.DataSource;

/**
 * Publish committed outbox messages to Kafka: the outbox topic is the Kafka topic, the message key
 * the record key (so one key stays in one partition, in order), and the message id travels in the
 * {@code outpost-message-id} header for consumers to deduplicate on. The producer runs with {@code
 * acks=all} and idempotence; a row is deleted only after Kafka acknowledged it.
 */
public final class RelayToKafka {

  private RelayToKafka() {}

  /**
   * Starts a relay publishing to the Kafka cluster at {@code bootstrapServers}.
   *
   * @param dataSource the database holding the outbox
   * @param schema the schema of Outpost's tables
   * @param bootstrapServers e.g. {@code kafka:9092}
   * @return the running relay; close it to stop (it closes the producer too)
   */
  public static Relay start(DataSource dataSource, String schema, String bootstrapServers) {
    Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .schema(schema)
            .publisher(KafkaPublisher.builder().bootstrapServers(bootstrapServers).build())
            .threads(16) // one per outbox partition: waits for acks of partitions overlap
            .build();
    relay.start();
    return relay;
  }
}
