package dev.outpost.relay.rabbitmq;

import dev.outpost.outbox.OutpostException;
import java.util.UUID;

/**
 * RabbitMQ answered a publish with {@code basic.nack}: it did not take responsibility for the
 * message (e.g. a queue with {@code x-overflow=reject-publish} is full, or an internal error). The
 * message counts as failed and is retried.
 */
public final class NackedMessageException extends OutpostException {
  private static final long serialVersionUID = 1L;

  private final UUID messageId;

  /** A nack of message {@code messageId} published to {@code destination}. */
  public NackedMessageException(UUID messageId, Destination destination) {
    super(
        "RabbitMQ nacked message "
            + messageId
            + " published to exchange '"
            + destination.exchange()
            + "' with routing key '"
            + destination.routingKey()
            + "' (a queue refused it, e.g. full with x-overflow=reject-publish); it is retried");
    this.messageId = messageId;
  }

  /** The nacked message's id. */
  public UUID messageId() {
    return messageId;
  }
}
