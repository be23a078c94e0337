package dev.outpost.outbox;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * Generates time-ordered UUIDv7 message ids (RFC 9562): 48 bits of Unix milliseconds, then a 12-bit
 * counter that keeps ids from one JVM strictly increasing within a millisecond, then 62 random
 * bits. Thread-safe.
 */
public final class MessageIds {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static long lastMillis;
  private static int counter;

  private MessageIds() {}

  /** A new UUIDv7, greater than every id this JVM generated before. */
  public static UUID next() {
    long millis;
    int sequence;
    synchronized (MessageIds.class) {
      long now = System.currentTimeMillis();
      if (now > lastMillis) {
        lastMillis = now;
        counter = RANDOM.nextInt(1 << 10);
      } else if (++counter > 0xFFF) {
        // Counter exhausted within one millisecond: borrow the next millisecond.
        lastMillis++;
        counter = 0;
      }
      millis = lastMillis;
      sequence = counter;
    }
    long most = (millis << 16) | 0x7000L | sequence;
    long least = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(most, least);
  }

  /** The millisecond timestamp embedded in a UUIDv7. */
  public static long timestampMillis(UUID uuidV7) {
    if (uuidV7.version() != 7) {
      throw new IllegalArgumentException("message id " + uuidV7 + " is not a UUIDv7");
    }
    return uuidV7.getMostSignificantBits() >>> 16;
  }
}
