package dev.outpost.rocketmq;

import dev.outpost.outbox.OutpostException;
import java.util.UUID;
import org.apache.rocketmq.client.producer.SendStatus;

/**
 * The broker stored a message but answered with a status other than {@code SEND_OK}: it was not
 * flushed to disk in time ({@code FLUSH_DISK_TIMEOUT}) or not replicated to the slave in time or at
 * all ({@code FLUSH_SLAVE_TIMEOUT}, {@code SLAVE_NOT_AVAILABLE}). On a synchronous-flush or
 * synchronous-replication deployment that is less durable than promised, so by default Outpost
 * counts the message as not confirmed and sends it again (a possible duplicate, never a loss).
 */
public final class NotDurableException extends OutpostException {
  private static final long serialVersionUID = 1L;

  private final UUID messageId;
  private final SendStatus status;

  /** The broker's answer {@code status} for message {@code messageId} on {@code topic}. */
  public NotDurableException(UUID messageId, String topic, SendStatus status) {
    super(
        "RocketMQ stored message "
            + messageId
            + " on topic '"
            + topic
            + "' with status "
            + status
            + " instead of SEND_OK: "
            + meaning(status)
            + "; it is sent again. On an asynchronous-flush deployment set acceptUnflushed(true)"
            + " to count it as confirmed.");
    this.messageId = messageId;
    this.status = status;
  }

  private static String meaning(SendStatus status) {
    return switch (status) {
      case FLUSH_DISK_TIMEOUT -> "the broker did not flush it to disk within syncFlushTimeout";
      case FLUSH_SLAVE_TIMEOUT -> "the slave did not acknowledge it within syncFlushTimeout";
      case SLAVE_NOT_AVAILABLE -> "no slave is available to replicate it to";
      default -> "unexpected status";
    };
  }

  /** The message's id. */
  public UUID messageId() {
    return messageId;
  }

  /** The broker's status. */
  public SendStatus status() {
    return status;
  }
}
