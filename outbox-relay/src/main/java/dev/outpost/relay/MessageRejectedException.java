package dev.outpost.relay;

import dev.outpost.outbox.OutpostException;

/**
 * Thrown by a {@link MessageHandler} (or reported by a {@link Publisher} as {@link
 * PublishResult.Rejected}'s cause) for a message that can never be published: the relay moves it to
 * the dead-letter table at once instead of retrying.
 */
public class MessageRejectedException extends OutpostException {
  private static final long serialVersionUID = 1L;

  /** A rejection saying why the message can never succeed. */
  public MessageRejectedException(String message) {
    super(message);
  }

  /** A rejection saying why, with its cause. */
  public MessageRejectedException(String message, Throwable cause) {
    super(message, cause);
  }
}
