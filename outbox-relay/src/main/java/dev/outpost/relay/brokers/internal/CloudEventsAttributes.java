package dev.outpost.relay.brokers.internal;

import dev.outpost.relay.RelayMessage;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The CloudEvents 1.0 context attributes of a relay message for binary content mode: {@code
 * specversion}, {@code id} (the message id), {@code source}, {@code type}, {@code time} (when the
 * message was written) and {@code subject} (the key, when there is one). Each protocol binding
 * prefixes the names ({@code ce_} for Kafka, {@code cloudEvents_} for AMQP).
 */
public final class CloudEventsAttributes {

  /** The CloudEvents specification version written. */
  public static final String SPEC_VERSION = "1.0";

  private CloudEventsAttributes() {}

  /**
   * The attributes of {@code message}, in spec order, names without prefix.
   *
   * @throws IllegalStateException if {@code type} returns {@code null} or a blank type
   */
  public static Map<String, String> of(
      RelayMessage message, String source, Function<RelayMessage, String> type) {
    String eventType = type.apply(message);
    if (eventType == null || eventType.isBlank()) {
      throw new IllegalStateException(
          "the CloudEvents type function returned '"
              + eventType
              + "' for message "
              + message.messageId()
              + "; it must return a non-blank type such as 'com.example.order.created'");
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("specversion", SPEC_VERSION);
    attributes.put("id", message.messageId().toString());
    attributes.put("source", source);
    attributes.put("type", eventType);
    attributes.put("time", DateTimeFormatter.ISO_INSTANT.format(message.createdAt()));
    if (message.key() != null) {
      attributes.put("subject", message.key());
    }
    return attributes;
  }
}
