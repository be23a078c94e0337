package dev.outpost.dedup.internal;

import dev.outpost.dedup.KafkaDedupConsumer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;

/** Reads the dedup id of a Kafka record. */
public final class KafkaMessageIds {

  private KafkaMessageIds() {}

  /**
   * The UUID in the {@value KafkaDedupConsumer#MESSAGE_ID_HEADER} header; a name-based UUID of the
   * header bytes when they are not a UUID string; a name-based UUID of {@code
   * topic/partition/offset} when the header is missing.
   */
  public static UUID of(ConsumerRecord<?, ?> record) {
    Header header = record.headers().lastHeader(KafkaDedupConsumer.MESSAGE_ID_HEADER);
    if (header != null && header.value() != null) {
      return MessageIds.of(header.value());
    }
    return fallback(record.topic(), record.partition(), record.offset());
  }

  /** The id of a record without the header: a name-based UUID of {@code topic/partition/offset}. */
  public static UUID fallback(String topic, int partition, long offset) {
    return UUID.nameUUIDFromBytes(
        (topic + "/" + partition + "/" + offset).getBytes(StandardCharsets.UTF_8));
  }
}
