package dev.outpost.relay;

import java.time.Instant;

/**
 * Which dead letters a {@link DeadLetters} operation applies to; every non-null part must match.
 * Immutable.
 *
 * <pre>{@code
 * DeadLetterFilter.all().topic("orders").failedBetween(yesterday, now)
 * }</pre>
 *
 * @param topic only this topic, or null for any
 * @param key only this key, or null for any
 * @param failedFrom only dead letters that failed at or after this instant, or null
 * @param failedBefore only dead letters that failed before this instant, or null
 */
public record DeadLetterFilter(String topic, String key, Instant failedFrom, Instant failedBefore) {

  private static final DeadLetterFilter ALL = new DeadLetterFilter(null, null, null, null);

  /** Every dead letter. */
  public static DeadLetterFilter all() {
    return ALL;
  }

  /** This filter, restricted to {@code topic}. */
  public DeadLetterFilter topic(String topic) {
    return new DeadLetterFilter(topic, key, failedFrom, failedBefore);
  }

  /** This filter, restricted to {@code key}. */
  public DeadLetterFilter key(String key) {
    return new DeadLetterFilter(topic, key, failedFrom, failedBefore);
  }

  /** This filter, restricted to dead letters that failed in {@code [from, before)}. */
  public DeadLetterFilter failedBetween(Instant from, Instant before) {
    return new DeadLetterFilter(topic, key, from, before);
  }
}
