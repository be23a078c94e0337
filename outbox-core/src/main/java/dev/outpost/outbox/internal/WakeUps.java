package dev.outpost.outbox.internal;

import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The in-JVM nudge from the writer to relays that poll (MySQL/MariaDB have no LISTEN/NOTIFY): after
 * a send, the writer signals the schema and partition it wrote; a relay of that schema running in
 * the same JVM subscribes and polls that partition at once. The writer's transaction may not be
 * committed yet when the signal arrives, so a subscriber polls again a few times quickly. A signal
 * to no subscriber costs one volatile read. Process-wide and thread-safe.
 */
public final class WakeUps {

  /** The partition number of a signal that concerns every partition of a schema. */
  public static final int ANY_PARTITION = -1;

  /** Receives the writer's signals; must return quickly and never throw. */
  @FunctionalInterface
  public interface Subscriber {
    /**
     * A message was written (not necessarily committed yet) to {@code partition} of {@code schema},
     * or to any of its partitions when {@code partition} is {@link #ANY_PARTITION}.
     */
    void written(String schema, int partition);
  }

  /** A subscription; {@link #close()} ends it. */
  public interface Subscription extends AutoCloseable {
    @Override
    void close();
  }

  private static final CopyOnWriteArrayList<Subscriber> subscribers = new CopyOnWriteArrayList<>();

  private WakeUps() {}

  /** Subscribes {@code subscriber} until the returned subscription is closed. */
  public static Subscription subscribe(Subscriber subscriber) {
    if (subscriber == null) {
      throw new IllegalArgumentException("subscriber must not be null");
    }
    subscribers.add(subscriber);
    return () -> subscribers.remove(subscriber);
  }

  /**
   * Signals every subscriber that {@code partition} of {@code schema} got a message ({@link
   * #ANY_PARTITION} when the writer does not know which, e.g. the delay scheduler's move).
   */
  public static void written(String schema, int partition) {
    if (subscribers.isEmpty()) {
      return;
    }
    for (Subscriber subscriber : subscribers) {
      subscriber.written(schema, partition);
    }
  }
}
