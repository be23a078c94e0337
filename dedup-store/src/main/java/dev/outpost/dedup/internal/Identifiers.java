package dev.outpost.dedup.internal;

import dev.outpost.dedup.Dedup;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Pattern;

/** Argument checks shared by the builders and {@code processOnce}. */
public final class Identifiers {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Identifiers() {}

  /** Checks a schema name the way {@code OutpostMigrations} does. */
  public static void requireSchema(String field, String value) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field
              + " '"
              + value
              + "' is not a plain lower-case PostgreSQL identifier; use 1-63 characters of"
              + " [a-z0-9_], not starting with a digit (the schema given to OutpostMigrations)");
    }
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
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    return value;
  }

  /** Checks {@code min <= value <= max}. */
  public static int requireRange(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          field + " is " + value + "; allowed range is " + min + " to " + max);
    }
    return value;
  }

  /** Checks that a duration is present and strictly positive. */
  public static Duration requirePositive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          field + " is " + value + "; it must be a positive duration, e.g. Duration.ofSeconds(1)");
    }
    return value;
  }

  /** Checks that a duration is present and not negative. */
  public static Duration requireNotNegative(String field, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(
          field + " is " + value + "; it must be zero or a positive duration");
    }
    return value;
  }

  /** Checks that a duration is present and {@code min <= value <= max}. */
  public static Duration requireBetween(String field, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field + " is " + value + "; allowed range is " + min + " to " + max);
    }
    return value;
  }
}
