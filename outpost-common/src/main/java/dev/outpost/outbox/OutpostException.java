package dev.outpost.outbox;

/**
 * Root of Outpost's unchecked exceptions: something unexpected went wrong (the database failed, the
 * schema is missing). Expected outcomes are return values, and bad arguments are {@link
 * IllegalArgumentException}s.
 */
public class OutpostException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with a message that says what went wrong and what to do. */
  public OutpostException(String message) {
    super(message);
  }

  /** An exception with a message that says what went wrong and what to do, and its cause. */
  public OutpostException(String message, Throwable cause) {
    super(message, cause);
  }
}
