package dev.outpost.relay;

import dev.outpost.outbox.OutpostException;

/**
 * Thrown by a {@link MessageHandler} (or used as a cause by a {@link Publisher}) when the
 * destination as a whole is unavailable rather than the message being at fault: the relay then
 * pauses publishing without counting an attempt (see {@link PublishResult.Unavailable}).
 */
public class DestinationUnavailableException extends OutpostException {
  private static final long serialVersionUID = 1L;

  /** With a message saying what is unavailable. */
  public DestinationUnavailableException(String message) {
    super(message);
  }

  /** With a message saying what is unavailable, and the cause. */
  public DestinationUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
