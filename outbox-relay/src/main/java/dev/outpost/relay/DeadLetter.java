package dev.outpost.relay;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A message that failed too often (or was rejected) and sits in the dead-letter table.
 *
 * @param id the dead letter's id (paging cursor for {@link DeadLetters#list})
 * @param outboxId the outbox row id it had (a replay puts it back at that position)
 * @param messageId the stable message id (kept by a replay)
 * @param topic destination
 * @param key ordering key, or null
 * @param partitionNo logical partition
 * @param payload payload bytes; do not modify
 * @param headers headers; unmodifiable
 * @param createdAt when the message was written
 * @param failedAt when it was dead-lettered
 * @param attempts publish attempts made
 * @param lastError the last error, or null
 */
public record DeadLetter(
    long id,
    long outboxId,
    UUID messageId,
    String topic,
    String key,
    int partitionNo,
    byte[] payload,
    Map<String, String> headers,
    Instant createdAt,
    Instant failedAt,
    int attempts,
    String lastError) {

  /** Makes the headers unmodifiable. */
  public DeadLetter {
    headers = Map.copyOf(headers);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeadLetter other
        && id == other.id
        && outboxId == other.outboxId
        && messageId.equals(other.messageId)
        && topic.equals(other.topic)
        && Objects.equals(key, other.key)
        && partitionNo == other.partitionNo
        && Arrays.equals(payload, other.payload)
        && headers.equals(other.headers)
        && createdAt.equals(other.createdAt)
        && failedAt.equals(other.failedAt)
        && attempts == other.attempts
        && Objects.equals(lastError, other.lastError);
  }

  @Override
  public int hashCode() {
    return Long.hashCode(id);
  }

  @Override
  public String toString() {
    return "DeadLetter{id="
        + id
        + ", messageId="
        + messageId
        + ", topic="
        + topic
        + ", key="
        + key
        + ", attempts="
        + attempts
        + ", lastError="
        + lastError
        + '}';
  }
}
