package dev.outpost.relay.kafka;

import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.testing.PublisherContract;
import dev.outpost.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** The public publisher contract, run against the Kafka publisher and the in-JVM broker. */
class KafkaPublisherContractTest extends PublisherContract {

  private static final int MAX_REQUEST_SIZE = 100_000;

  private final EmbeddedKafka kafka = EmbeddedKafka.shared();

  @Override
  protected Publisher publisher() {
    return KafkaPublisher.builder()
        .bootstrapServers(kafka.bootstrapServers())
        .producerProperty("max.request.size", MAX_REQUEST_SIZE)
        .build();
  }

  @Override
  protected String topic() {
    String topic = "outpost-contract-" + UUID.randomUUID();
    kafka.createTopic(topic, 4);
    return topic;
  }

  @Override
  protected RelayMessage failing(RelayMessage like) {
    return new RelayMessage(
        like.id(),
        like.messageId(),
        like.topic(),
        like.key(),
        like.partitionNo(),
        new byte[2 * MAX_REQUEST_SIZE],
        like.headers(),
        like.createdAt(),
        like.attempts());
  }

  @Override
  protected List<UUID> received(int atLeast, Duration timeout) {
    try (KafkaReader reader = new KafkaReader(kafka.bootstrapServers(), currentTopic())) {
      List<UUID> ids = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> record : reader.readAtLeast(atLeast)) {
        ids.add(
            UUID.fromString(
                KafkaPublisherTest.headers(record).get(RelayMessage.MESSAGE_ID_HEADER)));
      }
      return ids;
    }
  }
}
