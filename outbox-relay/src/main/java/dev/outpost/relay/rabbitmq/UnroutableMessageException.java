package dev.outpost.relay.rabbitmq;

import dev.outpost.outbox.OutpostException;
import java.util.UUID;

/**
 * RabbitMQ returned a mandatory message because no queue is bound for its routing key. RabbitMQ
 * still acks such a message; Outpost counts it as failed (retried, then dead-lettered), never as
 * sent.
 */
public final class UnroutableMessageException extends OutpostException {
  private static final long serialVersionUID = 1L;

  private final UUID messageId;
  private final String exchange;
  private final String routingKey;
  private final int replyCode;

  /** A return of message {@code messageId} with the broker's reply. */
  public UnroutableMessageException(
      UUID messageId, String exchange, String routingKey, int replyCode, String replyText) {
    super(
        "RabbitMQ returned message "
            + messageId
            + " as unroutable ("
            + replyCode
            + " "
            + replyText
            + "): exchange '"
            + exchange
            + "' has no queue bound for routing key '"
            + routingKey
            + "'. Declare the binding (or fix the routing); the message is retried, then"
            + " dead-lettered.");
    this.messageId = messageId;
    this.exchange = exchange;
    this.routingKey = routingKey;
    this.replyCode = replyCode;
  }

  /** The returned message's id. */
  public UUID messageId() {
    return messageId;
  }

  /** The exchange it was published to. */
  public String exchange() {
    return exchange;
  }

  /** Its routing key. */
  public String routingKey() {
    return routingKey;
  }

  /** The AMQP reply code, usually 312 (NO_ROUTE). */
  public int replyCode() {
    return replyCode;
  }
}
