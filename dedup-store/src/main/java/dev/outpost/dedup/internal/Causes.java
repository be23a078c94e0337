package dev.outpost.dedup.internal;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Error text that names the real cause. Connection pools wrap the driver's error: HikariCP says
 * only "Connection is not available, request timed out" and keeps "password authentication failed"
 * in the cause. Outpost's messages use {@link #describe} so that the root cause is always shown.
 */
final class Causes {

  private Causes() {}

  /**
   * The throwable's message, followed by {@code (cause: ...)} with the deepest cause's class and
   * message when the message does not already contain it.
   */
  static String describe(Throwable error) {
    String message = String.valueOf(error.getMessage());
    Throwable root = root(error);
    if (root == error) {
      return message;
    }
    String rootMessage = root.getMessage();
    if (rootMessage != null && message.contains(rootMessage)) {
      return message;
    }
    return message + " (cause: " + root + ')';
  }

  /** The deepest cause of {@code error} (itself when it has none); safe against cycles. */
  static Throwable root(Throwable error) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    Throwable current = error;
    while (current.getCause() != null && seen.put(current, Boolean.TRUE) == null) {
      current = current.getCause();
    }
    return current;
  }
}
