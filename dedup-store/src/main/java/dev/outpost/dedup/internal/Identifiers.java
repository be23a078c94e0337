package dev.outpost.dedup.internal;

import dev.outpost.common.internal.Check;
import dev.outpost.dedup.Dedup;
import java.time.Duration;
import java.util.UUID;

/** Argument checks shared by the builders and {@code processOnce}. */
public final class Identifiers {

  private Identifiers() {}

  /** Checks a schema name the way every Outpost builder does. */
  public static void requireSchema(String field, String value) {
    Check.identifier(field, value);
  }

  /** Checks a consumer name: not null, not blank, at most {@link Dedup#MAX_CONSUMER_LENGTH}. */
  public static void requireConsumer(String consumer) {
    if (consumer == null) {
      throw new IllegalArgumentException(
          "consumer must not be null; pass the consuming service's name, e.g. \"inventory\"");
    }
    if (consumer.length() > Dedup.MAX_CONSUMER_LENGTH) {
      throw new IllegalArgumentException(
          "consumer '"
              + consumer.substring(0, 40)
              + "...' is "
              + consumer.length()
              + " characters long; use at most "
              + Dedup.MAX_CONSUMER_LENGTH);
    }
    if (consumer.isBlank()) {
      throw new IllegalArgumentException(
          "consumer '"
              + consumer
              + "' is blank; pass the consuming service's name, e.g. \"inventory\"");
    }
  }

  /** Checks that a message id is present. */
  public static void requireMessageId(UUID messageId) {
    if (messageId == null) {
      throw new IllegalArgumentException(
          "messageId must not be null; pass the message's stable id (the publisher's message id)");
    }
  }

  /** Checks that a required argument is present. */
  public static <T> T require(String field, T value) {
    return Check.notNull(field, value);
  }

  /** Checks {@code min <= value <= max}. */
  public static int requireRange(String field, int value, int min, int max) {
    return Check.range(field, value, min, max);
  }

  /** Checks that a duration is present and strictly positive. */
  public static Duration requirePositive(String field, Duration value) {
    return Check.positive(field, value);
  }

  /** Checks that a duration is present and not negative. */
  public static Duration requireNotNegative(String field, Duration value) {
    return Check.notNegative(field, value);
  }

  /** Checks that a duration is present and {@code min <= value <= max}. */
  public static Duration requireBetween(String field, Duration value, Duration min, Duration max) {
    return Check.range(field, value, min, max);
  }
}
