package dev.outpost.relay;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A committed outbox message as the relay hands it to a {@link Publisher}.
 *
 * @param id the outbox row id (insertion order)
 * @param messageId the stable id consumers deduplicate on; publishers must send it along (Kafka
 *     header {@value #MESSAGE_ID_HEADER}, RabbitMQ {@code BasicProperties.messageId})
 * @param topic destination
 * @param key ordering key, or {@code null}
 * @param partitionNo the outbox's logical partition
 * @param payload payload bytes; publishers must not modify the array
 * @param headers headers including {@code traceparent}/{@code tracestate} when captured;
 *     unmodifiable
 * @param createdAt when the message was written
 * @param attempts failed publish attempts before this one
 */
public record RelayMessage(
    long id,
    UUID messageId,
    String topic,
    String key,
    int partitionNo,
    byte[] payload,
    Map<String, String> headers,
    Instant createdAt,
    int attempts) {

  /** The header carrying the message id on brokers that have no dedicated field (Kafka). */
  public static final String MESSAGE_ID_HEADER = "outpost-message-id";

  /** Checks the required values and makes the headers unmodifiable. */
  public RelayMessage {
    Objects.requireNonNull(messageId, "messageId");
    Objects.requireNonNull(topic, "topic");
    Objects.requireNonNull(payload, "payload");
    headers = Map.copyOf(headers);
    Objects.requireNonNull(createdAt, "createdAt");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RelayMessage other
        && id == other.id
        && messageId.equals(other.messageId)
        && topic.equals(other.topic)
        && Objects.equals(key, other.key)
        && partitionNo == other.partitionNo
        && Arrays.equals(payload, other.payload)
        && headers.equals(other.headers)
        && createdAt.equals(other.createdAt)
        && attempts == other.attempts;
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    return "RelayMessage{id="
        + id
        + ", messageId="
        + messageId
        + ", topic="
        + topic
        + ", key="
        + key
        + ", partition="
        + partitionNo
        + ", "
        + payload.length
        + " bytes, attempts="
        + attempts
        + '}';
  }
}
