package dev.outpost.relay.rabbitmq.internal;

import com.rabbitmq.client.AMQP;
import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.CloudEventsAttributes;
import dev.outpost.relay.rabbitmq.Destination;
import dev.outpost.relay.rabbitmq.RabbitMqPublisherConfig;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;

/** Turns relay messages into AMQP destinations and properties. */
final class AmqpMessages {

  static final String CONTENT_TYPE_HEADER = "content-type";
  static final String CLOUD_EVENTS_PREFIX = "cloudEvents_";
  private static final int PERSISTENT = 2;
  private static final int TRANSIENT = 1;

  private final RabbitMqPublisherConfig config;

  AmqpMessages(RabbitMqPublisherConfig config) {
    this.config = config;
  }

  /**
   * Where {@code message} goes.
   *
   * @throws Unpublishable if the routing function returns {@code null} or the payload is too large
   * @throws RuntimeException whatever the routing function throws
   */
  Destination destination(RelayMessage message) {
    if (message.payload().length > config.maxMessageBytes()) {
      throw new Unpublishable(
          "message "
              + message.messageId()
              + " has "
              + message.payload().length
              + " payload bytes, more than maxMessageBytes = "
              + config.maxMessageBytes()
              + " (set it to the broker's max_message_size); RabbitMQ would refuse it, so it is"
              + " dead-lettered");
    }
    Destination destination = config.routing().apply(message);
    if (destination == null) {
      throw new Unpublishable(
          "the routing function returned null for message "
              + message.messageId()
              + " (topic '"
              + message.topic()
              + "'); it must return a Destination");
    }
    return destination;
  }

  /**
   * The properties of {@code message}.
   *
   * @throws Unpublishable if a header name is longer than AMQP allows
   */
  AMQP.BasicProperties properties(RelayMessage message) {
    Map<String, Object> headers = new HashMap<>();
    boolean cloudEvents = config.cloudEvents();
    for (Map.Entry<String, String> header : message.headers().entrySet()) {
      String name = header.getKey();
      if (cloudEvents && name.startsWith(CLOUD_EVENTS_PREFIX)) {
        continue;
      }
      if (name.getBytes(StandardCharsets.UTF_8).length > Destination.MAX_NAME_BYTES) {
        throw new Unpublishable(
            "header name '"
                + name.substring(0, Math.min(40, name.length()))
                + "...' of message "
                + message.messageId()
                + " is longer than the 255 bytes AMQP allows");
      }
      headers.put(name, header.getValue());
    }
    if (cloudEvents) {
      CloudEventsAttributes.of(message, config.cloudEventsSource(), config.cloudEventsType())
          .forEach((name, value) -> headers.put(CLOUD_EVENTS_PREFIX + name, value));
    }
    return new AMQP.BasicProperties.Builder()
        .messageId(message.messageId().toString())
        .deliveryMode(config.persistent() ? PERSISTENT : TRANSIENT)
        .contentType(message.headers().get(CONTENT_TYPE_HEADER))
        .timestamp(Date.from(message.createdAt()))
        .headers(headers)
        .build();
  }

  /** A message RabbitMQ can never accept; the relay dead-letters it at once. */
  static final class Unpublishable extends OutpostException {
    private static final long serialVersionUID = 1L;

    Unpublishable(String message) {
      super(message);
    }
  }
}
