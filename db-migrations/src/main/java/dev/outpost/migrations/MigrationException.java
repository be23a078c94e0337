package dev.outpost.migrations;

import dev.outpost.outbox.OutpostException;

/** Outpost's tables could not be created or upgraded; the message names the schema and the fix. */
public class MigrationException extends OutpostException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message that says what to fix. */
  public MigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
