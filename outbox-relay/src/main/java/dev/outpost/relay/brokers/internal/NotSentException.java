package dev.outpost.relay.brokers.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.RelayMessage;

/**
 * A message of a batch that the publisher did not hand to the broker because an earlier message it
 * must not overtake (same key, same topic, or the rest of the batch) did not get through.
 */
public final class NotSentException extends OutpostException {
  private static final long serialVersionUID = 1L;

  private final boolean heldBehindKey;

  private NotSentException(String message, Throwable cause, boolean heldBehindKey) {
    super(message, cause);
    this.heldBehindKey = heldBehindKey;
  }

  /**
   * Whether it waits behind a failed message of its own key (not behind a failure of the broker
   * client or of its destination).
   */
  public boolean heldBehindKey() {
    return heldBehindKey;
  }

  /** Held back behind an earlier message of the same key that failed in this batch. */
  public static NotSentException sameKey(RelayMessage message) {
    return new NotSentException(
        "not sent: message "
            + message.messageId()
            + " waits behind an earlier message of key '"
            + message.key()
            + "' that failed in the same batch",
        null,
        true);
  }

  /** Held back behind an earlier message to the same destination that failed synchronously. */
  public static NotSentException sameDestination(RelayMessage message, String destination) {
    return new NotSentException(
        "not sent: an earlier message to '"
            + destination
            + "' in the same batch could not be handed to the broker; message "
            + message.messageId()
            + " is retried with it",
        null,
        false);
  }

  /** The rest of a batch after the client refused a send. */
  public static NotSentException rest(RelayMessage failed, Throwable cause) {
    return new NotSentException(
        "not sent: the broker client refused message "
            + failed.messageId()
            + " earlier in the batch ("
            + cause
            + "); the rest of the batch is retried later",
        cause,
        false);
  }
}
