package dev.outpost.examples;

/**
 * The broker named on the command line refused the app (wrong login, unreachable, no answer): the
 * app prints the message as one line and exits with code 2, like for bad flags.
 */
final class BrokerUnavailableException extends RuntimeException {

  BrokerUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The innermost cause's message: what the broker or the network said. */
  static String reason(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage();
    return message == null || message.isBlank() ? root.getClass().getSimpleName() : message;
  }
}
