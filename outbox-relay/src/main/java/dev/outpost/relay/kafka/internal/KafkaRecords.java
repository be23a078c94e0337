package dev.outpost.relay.kafka.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.DestinationUnavailableException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.CloudEventsAttributes;
import dev.outpost.relay.brokers.internal.NotSentException;
import dev.outpost.relay.kafka.KafkaPublisherConfig;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.BrokerNotAvailableException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.LeaderNotAvailableException;
import org.apache.kafka.common.errors.NetworkException;
import org.apache.kafka.common.errors.NotEnoughReplicasAfterAppendException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;

/** Turns relay messages into producer records and Kafka errors into publish results. */
final class KafkaRecords {

  /** Kafka's own rule for topic names. */
  private static final Pattern LEGAL_TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** Record batch header (61) plus the largest per-record overhead (21), as Kafka estimates. */
  private static final int RECORD_OVERHEAD = 61 + 21;

  /** Upper bound of a varint length prefix. */
  private static final int VARINT = 5;

  private static final String CLOUD_EVENTS_PREFIX = "ce_";

  private final KafkaPublisherConfig config;
  private final int maxRecordBytes;

  KafkaRecords(KafkaPublisherConfig config, int maxRecordBytes) {
    this.config = config;
    this.maxRecordBytes = maxRecordBytes;
  }

  /**
   * The record for {@code message}.
   *
   * @throws Unpublishable if the message can never be sent (no or illegal topic, too large)
   * @throws RuntimeException whatever the topic mapper or CloudEvents type function throws
   */
  ProducerRecord<byte[], byte[]> toRecord(RelayMessage message) {
    String topic = config.topicMapper().apply(message);
    checkTopic(message, topic);
    byte[] key = message.key() == null ? null : message.key().getBytes(StandardCharsets.UTF_8);
    RecordHeaders headers = new RecordHeaders();
    int size = RECORD_OVERHEAD + VARINT * 3 + length(key) + message.payload().length;
    boolean cloudEvents = config.cloudEvents();
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      String name = header.getKey();
      if (name.equals(RelayMessage.MESSAGE_ID_HEADER)
          || (cloudEvents && name.startsWith(CLOUD_EVENTS_PREFIX))) {
        continue;
      }
      size += add(headers, name, header.getValue());
    }
    size += add(headers, RelayMessage.MESSAGE_ID_HEADER, message.messageId().toString());
    if (cloudEvents) {
      Map<String, String> attributes =
          CloudEventsAttributes.of(message, config.cloudEventsSource(), config.cloudEventsType());
      for (Map.Entry<String, String> attribute : attributes.entrySet()) {
        size += add(headers, CLOUD_EVENTS_PREFIX + attribute.getKey(), attribute.getValue());
      }
    }
    if (size > maxRecordBytes) {
      throw new Unpublishable(
          "message "
              + message.messageId()
              + " is about "
              + size
              + " bytes as a Kafka record, more than the producer's limit of "
              + maxRecordBytes
              + " bytes (max.request.size/buffer.memory); Kafka would refuse it, so it is"
              + " dead-lettered. Raise max.request.size and the topic's max.message.bytes, or"
              + " send smaller messages.",
          new RecordTooLargeException("record of about " + size + " bytes"));
    }
    return new ProducerRecord<>(topic, null, null, key, message.payload(), headers);
  }

  /** What a failed send means for the relay: permanent refusals are rejected, the rest failed. */
  static PublishResult classify(RelayMessage message, String topic, Exception error) {
    if (error instanceof RecordTooLargeException
        || error instanceof InvalidTopicException
        || error instanceof InvalidRecordException) {
      return PublishResult.rejected(
          new Unpublishable(
              "Kafka refused message "
                  + message.messageId()
                  + " for topic '"
                  + topic
                  + "' permanently: "
                  + error,
              error));
    }
    if (error instanceof NotEnoughReplicasException
        || error instanceof NotEnoughReplicasAfterAppendException
        || error instanceof LeaderNotAvailableException
        || error instanceof BrokerNotAvailableException) {
      return PublishResult.unavailable(
          new DestinationUnavailableException(
              "Kafka cannot take writes for topic '" + topic + "' now: " + error, error));
    }
    return PublishResult.failed(error);
  }

  /**
   * Whether a failure may be the cluster's outage rather than the message's fault: decided by
   * probing the cluster ({@code AvailabilityCheck}).
   */
  static boolean suspect(Throwable cause) {
    return cause instanceof org.apache.kafka.common.errors.TimeoutException
        || cause instanceof java.util.concurrent.TimeoutException
        || cause instanceof NetworkException
        || cause instanceof NotLeaderOrFollowerException
        || (cause instanceof NotSentException notSent && !notSent.heldBehindKey());
  }

  private static void checkTopic(RelayMessage message, String topic) {
    if (topic == null) {
      throw new Unpublishable(
          "the topic mapper returned null for message "
              + message.messageId()
              + " (outbox topic '"
              + message.topic()
              + "'); it must return a Kafka topic name",
          null);
    }
    if (!LEGAL_TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
      throw new Unpublishable(
          "topic '"
              + topic
              + "' of message "
              + message.messageId()
              + " is not a legal Kafka topic name; Kafka topic names are 1..249 characters of"
              + " [a-zA-Z0-9._-] and not '.' or '..'",
          new InvalidTopicException(topic));
    }
  }

  private static int add(RecordHeaders headers, String name, String value) {
    byte[] bytes = value == null ? null : value.getBytes(StandardCharsets.UTF_8);
    headers.add(name, bytes);
    return VARINT * 2 + name.length() * 3 + length(bytes);
  }

  private static int length(byte[] bytes) {
    return bytes == null ? 0 : bytes.length;
  }

  /** A message Kafka can never accept; the relay dead-letters it at once. */
  static final class Unpublishable extends OutpostException {
    private static final long serialVersionUID = 1L;

    Unpublishable(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
