package dev.outpost.admin.internal.cli;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** Parsing and printing of times and durations for the CLI. */
final class Formats {

  private Formats() {}

  /**
   * An instant: ISO-8601 ({@code 2026-01-31T12:00:00Z}) or an age ({@code 90s}, {@code 15m}, {@code
   * 2h}, {@code 3d}) meaning that long before {@code now}.
   */
  static Instant instant(String text, Instant now) {
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return now.minus(duration(text));
    }
  }

  static Duration duration(String text) {
    String t = text.trim().toLowerCase(Locale.ROOT);
    if (t.length() >= 2) {
      try {
        long n = Long.parseLong(t.substring(0, t.length() - 1));
        switch (t.charAt(t.length() - 1)) {
          case 's':
            return Duration.ofSeconds(n);
          case 'm':
            return Duration.ofMinutes(n);
          case 'h':
            return Duration.ofHours(n);
          case 'd':
            return Duration.ofDays(n);
          default:
            break;
        }
      } catch (NumberFormatException e) {
        // falls through to the error below
      }
    }
    throw new IllegalArgumentException(
        "'"
            + text
            + "' is neither an ISO-8601 instant (2026-01-31T12:00:00Z) nor an age like 90s, 15m,"
            + " 2h, 3d");
  }

  static String age(Long millis) {
    if (millis == null) {
      return "-";
    }
    Duration d = Duration.ofMillis(millis);
    if (d.toHours() > 0) {
      return d.toHours() + "h" + d.toMinutesPart() + "m";
    }
    if (d.toMinutes() > 0) {
      return d.toMinutes() + "m" + d.toSecondsPart() + "s";
    }
    return d.toSeconds() + "." + (d.toMillisPart() / 100) + "s";
  }

  static String text(Object o) {
    return o == null ? "-" : String.valueOf(o);
  }

  static String shorten(String s, int max) {
    if (s == null) {
      return "-";
    }
    String oneLine = s.replace('\n', ' ').replace('\r', ' ');
    return oneLine.length() <= max ? oneLine : oneLine.substring(0, max - 1) + "…";
  }
}
