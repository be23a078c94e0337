package dev.outpost.examples;

/**
 * The database named by {@code --jdbc-url} refused the app (unreachable, wrong login, a database
 * that cannot be created): the app prints the message as one line and exits with code 2, like for
 * bad flags.
 */
final class DatabaseUnavailableException extends RuntimeException {

  DatabaseUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
