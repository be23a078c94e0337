package dev.outpost.dedup;

import dev.outpost.outbox.OutpostException;
import java.util.UUID;

/**
 * A dedup operation failed unexpectedly: the key insert, the caller's {@link SqlWork}, or a purge
 * statement threw. Carries the consumer and message id when they are known. The caller's
 * transaction must be rolled back; a redelivery then runs the work again.
 */
public class DedupException extends OutpostException {
  private static final long serialVersionUID = 1L;

  private final String consumer;
  private final UUID messageId;

  /**
   * Creates the exception.
   *
   * @param message what went wrong and what to do
   * @param consumer the consumer name, or {@code null} when not about one message
   * @param messageId the message id, or {@code null} when not about one message
   * @param cause the underlying failure, may be {@code null}
   */
  public DedupException(String message, String consumer, UUID messageId, Throwable cause) {
    super(message, cause);
    this.consumer = consumer;
    this.messageId = messageId;
  }

  /** The consumer name the failure is about, or {@code null}. */
  public String consumer() {
    return consumer;
  }

  /** The message id the failure is about, or {@code null}. */
  public UUID messageId() {
    return messageId;
  }
}
