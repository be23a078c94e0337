package dev.outpost.delay.internal;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;

/** Checks due times, topics and cancel keys of calls, before anything touches the database. */
final class DueTimes {

  private final Duration maxDelay;
  private final int maxKeyLength;

  DueTimes(Duration maxDelay, int maxKeyLength) {
    this.maxDelay = maxDelay;
    this.maxKeyLength = maxKeyLength;
  }

  /** {@code now + delay}, for a delay in {@code 0..maxDelay}. */
  Instant afterDelay(Instant now, Duration delay) {
    if (delay == null) {
      throw new IllegalArgumentException("delay must not be null; use Duration.ZERO for 'now'");
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException(
          "delay is "
              + delay
              + "; it must be zero or positive (zero = due at the next sweep). To deliver at an"
              + " instant that may lie in the past, use scheduleAt");
    }
    if (delay.compareTo(maxDelay) > 0) {
      throw new IllegalArgumentException(
          "delay is "
              + delay
              + ", beyond the limit (maxDelay) of "
              + maxDelay
              + "; check the unit, or raise maxDelay on the DelayScheduler builder");
    }
    return now.plus(delay);
  }

  /**
   * {@code deliverAt}, at most {@code maxDelay} from {@code now} either way: a past instant is due
   * at once, one further back than {@code maxDelay} is as surely a bug as one too far ahead.
   */
  Instant at(Instant now, Instant deliverAt) {
    if (deliverAt == null) {
      throw new IllegalArgumentException("deliverAt must not be null");
    }
    Instant latest = now.plus(maxDelay);
    if (deliverAt.isAfter(latest)) {
      throw new IllegalArgumentException(
          "deliverAt "
              + deliverAt
              + " is more than the limit (maxDelay) of "
              + maxDelay
              + " ahead of now ("
              + now
              + "); the latest allowed is "
              + latest
              + ". Check the value, or raise maxDelay on the DelayScheduler builder");
    }
    Instant earliest = now.minus(maxDelay);
    if (deliverAt.isBefore(earliest)) {
      throw new IllegalArgumentException(
          "deliverAt "
              + deliverAt
              + " is more than the limit (maxDelay) of "
              + maxDelay
              + " before now ("
              + now
              + "); a past instant makes a message due at once, but one this far back is likely"
              + " a wrong value");
    }
    return deliverAt;
  }

  /** A cancel key given explicitly: not null, not blank, at most {@code maxKeyLength} chars. */
  void checkCancelKey(String cancelKey) {
    if (cancelKey == null || cancelKey.isBlank()) {
      throw new IllegalArgumentException(
          "cancelKey must not be null or blank; use the overload without a cancel key for a"
              + " message that is never cancelled");
    }
    if (cancelKey.length() > maxKeyLength) {
      throw new IllegalArgumentException(
          "cancelKey has "
              + cancelKey.length()
              + " characters; the limit (the outbox's maxKeyLength) is "
              + maxKeyLength);
    }
  }

  /** The identifiers of a cancel or reschedule. */
  void checkTopicAndKey(String topic, String cancelKey) {
    if (topic == null || topic.isBlank()) {
      throw new IllegalArgumentException(
          "topic must not be null or blank; pass the topic the message was scheduled to");
    }
    if (cancelKey == null || cancelKey.isBlank()) {
      throw new IllegalArgumentException(
          "cancelKey must not be null or blank; pass the cancel key the message was scheduled"
              + " with");
    }
  }

  /**
   * The column value: PostgreSQL keeps microseconds, so a finer instant is rounded <em>up</em>,
   * never making a message due before the requested time.
   */
  static OffsetDateTime toColumn(Instant due) {
    Instant micros = due.truncatedTo(ChronoUnit.MICROS);
    if (micros.isBefore(due)) {
      micros = micros.plus(1, ChronoUnit.MICROS);
    }
    return micros.atOffset(ZoneOffset.UTC);
  }
}
