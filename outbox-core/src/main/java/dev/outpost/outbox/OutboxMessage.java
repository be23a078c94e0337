package dev.outpost.outbox;

import dev.outpost.outbox.internal.JacksonPayload;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * One outgoing message: where it goes ({@link #topic()}), its ordering key, its payload and
 * headers, and the stable {@link #messageId()} consumers deduplicate on.
 *
 * <pre>{@code
 * OutboxMessage message = OutboxMessage.to("orders")
 *     .key(orderId)
 *     .payloadJson(orderCreated)
 *     .header("type", "OrderCreated")
 *     .build();
 * }</pre>
 *
 * <p>Immutable and thread-safe. {@link #payload()} returns a copy.
 */
public final class OutboxMessage {

  /** Longest topic accepted: Kafka's limit for topic names. */
  public static final int MAX_TOPIC_LENGTH = 249;

  /** Characters every supported broker accepts in a topic / exchange / routing key. */
  public static final Pattern TOPIC_PATTERN = Pattern.compile("[a-zA-Z0-9._-]+");

  private final UUID messageId;
  private final String topic;
  private final String key;
  private final byte[] payload;
  private final Map<String, String> headers;
  private final Instant createdAt;

  private OutboxMessage(Builder builder) {
    this.messageId = builder.messageId == null ? MessageIds.next() : builder.messageId;
    this.topic = builder.topic;
    this.key = builder.key;
    this.payload = builder.payload;
    this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(builder.headers));
    this.createdAt = builder.createdAt;
  }

  /**
   * Starts a message to {@code topic}: a Kafka topic, or the routing key of a RabbitMQ publish.
   *
   * @throws IllegalArgumentException if the topic is null, blank, longer than {@value
   *     #MAX_TOPIC_LENGTH} characters, has characters outside {@code [a-zA-Z0-9._-]}, or is {@code
   *     .} or {@code ..}
   */
  public static Builder to(String topic) {
    return new Builder(validateTopic(topic));
  }

  /** The id consumers deduplicate on: a UUIDv7 unless one was given. */
  public UUID messageId() {
    return messageId;
  }

  /** The destination. */
  public String topic() {
    return topic;
  }

  /** The ordering key (and broker partition key), or {@code null} for an unordered message. */
  public String key() {
    return key;
  }

  /** A copy of the payload bytes. */
  public byte[] payload() {
    return payload.clone();
  }

  /** The payload size in bytes. */
  public int payloadSize() {
    return payload.length;
  }

  /** The headers, in insertion order; unmodifiable. */
  public Map<String, String> headers() {
    return headers;
  }

  /** When the message was created, or {@code null} to let the outbox stamp it at send time. */
  public Instant createdAt() {
    return createdAt;
  }

  /** A copy of this message with more headers (existing names are replaced). */
  public OutboxMessage withHeaders(Map<String, String> extra) {
    Builder builder = toBuilder();
    extra.forEach(builder::header);
    return builder.build();
  }

  /** A builder holding this message's values, including its message id. */
  public Builder toBuilder() {
    Builder builder = new Builder(topic).messageId(messageId).key(key).payload(payload);
    builder.headers.putAll(headers);
    builder.createdAt = createdAt;
    return builder;
  }

  static String validateTopic(String topic) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException(
          "topic is "
              + (topic == null ? "null" : "blank ('" + topic + "')")
              + "; every message needs a destination: a Kafka topic or a RabbitMQ routing key");
    }
    if (topic.length() > MAX_TOPIC_LENGTH) {
      throw new IllegalArgumentException(
          "topic '"
              + topic.substring(0, 40)
              + "...' has "
              + topic.length()
              + " characters; the limit is "
              + MAX_TOPIC_LENGTH
              + " (Kafka's limit for topic names)");
    }
    for (int i = 0; i < topic.length(); i++) {
      char c = topic.charAt(i);
      if (!isTopicChar(c)) {
        throw new IllegalArgumentException(
            "topic '"
                + topic
                + "' contains "
                + describe(c)
                + " at index "
                + i
                + "; topic names allow only [a-zA-Z0-9._-], the characters every supported broker"
                + " accepts");
      }
    }
    if (topic.equals(".") || topic.equals("..")) {
      throw new IllegalArgumentException(
          "topic '" + topic + "' is not allowed; Kafka rejects the topic names '.' and '..'");
    }
    return topic;
  }

  private static boolean isTopicChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '.'
        || c == '_'
        || c == '-';
  }

  private static String describe(char c) {
    if (c == ' ') {
      return "a space";
    }
    if (Character.isISOControl(c) || Character.isWhitespace(c)) {
      return String.format("the control character U+%04X", (int) c);
    }
    return "'" + c + "'";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OutboxMessage other
        && messageId.equals(other.messageId)
        && topic.equals(other.topic)
        && Objects.equals(key, other.key)
        && Arrays.equals(payload, other.payload)
        && headers.equals(other.headers)
        && Objects.equals(createdAt, other.createdAt);
  }

  @Override
  public int hashCode() {
    return messageId.hashCode();
  }

  @Override
  public String toString() {
    return "OutboxMessage{id="
        + messageId
        + ", topic="
        + topic
        + ", key="
        + key
        + ", "
        + payload.length
        + " bytes, headers="
        + headers.keySet()
        + '}';
  }

  /** Builds an {@link OutboxMessage}. Not thread-safe. */
  public static final class Builder {
    private final String topic;
    private UUID messageId;
    private String key;
    private byte[] payload;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Instant createdAt;

    private Builder(String topic) {
      this.topic = topic;
    }

    /** Uses a given message id instead of a generated UUIDv7 (e.g. to keep an upstream id). */
    public Builder messageId(UUID messageId) {
      this.messageId = Objects.requireNonNull(messageId, "messageId must not be null");
      return this;
    }

    /** The ordering key; messages with the same key are published in insertion order. */
    public Builder key(String key) {
      this.key = key;
      return this;
    }

    /** The payload bytes (copied). */
    public Builder payload(byte[] payload) {
      if (payload == null) {
        throw new IllegalArgumentException(
            "payload must not be null; use payload(new byte[0]) for an empty message");
      }
      this.payload = payload.clone();
      return this;
    }

    /** The payload as UTF-8 text. */
    public Builder payload(String text) {
      if (text == null) {
        throw new IllegalArgumentException(
            "payload must not be null; use payload(\"\") for an empty message");
      }
      this.payload = text.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    /**
     * The payload produced by {@code serializer} (its bytes are copied).
     *
     * @throws IllegalArgumentException if the serializer is null, returns null, or cannot serialize
     *     the value
     */
    public <T> Builder payload(T value, PayloadSerializer<? super T> serializer) {
      if (serializer == null) {
        throw new IllegalArgumentException("serializer must not be null");
      }
      byte[] bytes = serializer.serialize(value);
      if (bytes == null) {
        throw new IllegalArgumentException(
            "serializer "
                + serializer.getClass().getName()
                + " returned null; a PayloadSerializer must return bytes (new byte[0] when empty)");
      }
      // Copied: a serializer may hand out a reused buffer, and messages are immutable.
      this.payload = bytes.clone();
      return this;
    }

    /**
     * The payload as JSON written by Jackson (needs {@code jackson-databind} on the classpath), and
     * header {@code content-type: application/json}.
     *
     * <p>{@code null} is refused rather than stored as the JSON text {@code null}: an absent
     * payload is almost always a bug. To send an empty payload, use {@code payload(new byte[0])}.
     *
     * @throws IllegalArgumentException if {@code value} is null, Jackson is missing, or it cannot
     *     write the value
     */
    public Builder payloadJson(Object value) {
      if (value == null) {
        throw new IllegalArgumentException(
            "payloadJson value must not be null (it would be stored as the JSON text 'null');"
                + " use payload(new byte[0]) for an empty payload");
      }
      this.payload = JacksonPayload.write(value);
      headers.put("content-type", "application/json");
      return this;
    }

    /** Adds a header; a name given twice keeps the last value. */
    public Builder header(String name, String value) {
      if (name == null || name.isBlank()) {
        throw new IllegalArgumentException("header name must not be null or blank");
      }
      if (value == null) {
        throw new IllegalArgumentException("header '" + name + "' has a null value");
      }
      headers.put(name, value);
      return this;
    }

    /** Sets the creation time; by default the outbox stamps it from its clock at send time. */
    public Builder createdAt(Instant createdAt) {
      this.createdAt = createdAt;
      return this;
    }

    /**
     * The message.
     *
     * @throws IllegalArgumentException if no payload was set
     */
    public OutboxMessage build() {
      if (payload == null) {
        throw new IllegalArgumentException(
            "payload is required for topic '" + topic + "'; call payload(...) before build()");
      }
      return new OutboxMessage(this);
    }
  }
}
