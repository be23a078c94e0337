package dev.outpost.common.internal;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The one validation helper of Outpost's builders: each check throws an {@link
 * IllegalArgumentException} in one format, {@code "<field> is <value>; allowed <range>"} (and
 * {@code "<field> must not be null"}), so every message names the field, the value and what is
 * allowed.
 */
public final class Check {

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private Check() {}

  /**
   * Checks {@code value != null}.
   *
   * @return {@code value}
   */
  public static <T> T notNull(String field, T value) {
    if (value == null) {
      throw new IllegalArgumentException(field + " must not be null");
    }
    return value;
  }

  /**
   * Checks that {@code value} is not null and not blank.
   *
   * @return {@code value}
   */
  public static String text(String field, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " is '" + value + "'; it is required");
    }
    return value;
  }

  /**
   * Checks that {@code value} is not null, not blank and at most {@code maxLength} characters long.
   *
   * @return {@code value}
   */
  public static String text(String field, String value, int maxLength) {
    if (value == null || value.isBlank() || value.length() > maxLength) {
      throw new IllegalArgumentException(
          field
              + " is '"
              + (value != null && value.length() > 60 ? value.substring(0, 40) + "..." : value)
              + "'"
              + (value != null && value.length() > maxLength
                  ? " (" + value.length() + " characters)"
                  : "")
              + "; allowed 1.."
              + maxLength
              + " characters, not blank");
    }
    return value;
  }

  /**
   * Checks that {@code values} holds at least one element and none is null or blank.
   *
   * @return {@code values}
   */
  public static List<String> texts(String field, List<String> values) {
    if (values == null
        || values.isEmpty()
        || values.stream().anyMatch(v -> v == null || v.isBlank())) {
      throw new IllegalArgumentException(
          field + " is " + values + "; allowed: at least one name, none blank");
    }
    return values;
  }

  /**
   * Checks {@code min <= value <= max}.
   *
   * @return {@code value}
   */
  public static int range(String field, int value, int min, int max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(field + " is " + value + "; allowed " + min + ".." + max);
    }
    return value;
  }

  /**
   * Checks {@code min <= value <= max}.
   *
   * @return {@code value}
   */
  public static long range(String field, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(field + " is " + value + "; allowed " + min + ".." + max);
    }
    return value;
  }

  /**
   * Checks {@code min <= value <= max} (inclusive), {@code value} not null.
   *
   * @return {@code value}
   */
  public static Duration range(String field, Duration value, Duration min, Duration max) {
    if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          field + " is " + value + "; allowed " + min + ".." + max + " (inclusive)");
    }
    return value;
  }

  /**
   * Checks that {@code value} is a strictly positive duration.
   *
   * @return {@code value}
   */
  public static Duration positive(String field, Duration value) {
    if (value == null || value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(
          field + " is " + value + "; allowed: a positive duration, e.g. Duration.ofSeconds(1)");
    }
    return value;
  }

  /**
   * Checks that {@code value} is not null and not shorter than {@code min}, the value of the field
   * {@code minField}.
   *
   * @return {@code value}
   */
  public static Duration atLeast(String field, Duration value, String minField, Duration min) {
    if (value == null || value.compareTo(min) < 0) {
      throw new IllegalArgumentException(
          field + " is " + value + "; allowed: at least " + minField + " (" + min + ")");
    }
    return value;
  }

  /**
   * Checks that {@code value} is zero or a positive duration.
   *
   * @return {@code value}
   */
  public static Duration notNegative(String field, Duration value) {
    if (value == null || value.isNegative()) {
      throw new IllegalArgumentException(
          field + " is " + value + "; allowed: zero or a positive duration");
    }
    return value;
  }

  /**
   * Checks that {@code value} is a plain lower-case SQL identifier (schema and table names are
   * quoted as given, so only names that read the same quoted and unquoted are allowed).
   *
   * @return {@code value}
   */
  public static String identifier(String field, String value) {
    if (value == null || !IDENTIFIER.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field
              + " is '"
              + value
              + "'; allowed: a plain lower-case identifier of 1-63 characters of [a-z0-9_], not"
              + " starting with a digit");
    }
    return value;
  }
}
