package dev.outpost.relay.internal;

import java.util.concurrent.TimeUnit;

/**
 * Limits the relay's publish rate (peak shaving). Each batch reserves its messages' share of time
 * and waits until the reservation starts; an idle pacer keeps no credit, so a burst after a quiet
 * spell is paced too. Uses {@link System#nanoTime()}: pacing is about elapsed time, not about the
 * injected clock. Thread-safe.
 */
final class PublishPacer {

  private final double nanosPerMessage;
  private long nextFree = System.nanoTime();

  PublishPacer(int messagesPerSecond) {
    this.nanosPerMessage = 1e9 / messagesPerSecond;
  }

  /** Waits until {@code messages} may be published. */
  void acquire(int messages) throws InterruptedException {
    long wait;
    synchronized (this) {
      long now = System.nanoTime();
      long start = Math.max(now, nextFree);
      nextFree = start + (long) (messages * nanosPerMessage);
      wait = start - now;
    }
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  /** Largest batch worth claiming at once: about a tenth of a second of the rate. */
  static int batchLimit(int batchSize, int messagesPerSecond) {
    return messagesPerSecond == 0
        ? batchSize
        : Math.max(1, Math.min(batchSize, messagesPerSecond / 10));
  }
}
