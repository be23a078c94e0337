package dev.outpost.admin;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which dead letters an admin operation looks at; every non-null (non-empty) part must match.
 * Immutable.
 *
 * @param ids dead-letter ids, or empty for any
 * @param messageIds message ids, or empty for any
 * @param topic only this topic, or null
 * @param key only this message key, or null
 * @param failedFrom failed at or after this instant, or null
 * @param failedBefore failed before this instant, or null
 * @param errorContains the last error contains this text (case-insensitive), or null
 */
public record DeadLetterQuery(
    List<Long> ids,
    List<UUID> messageIds,
    String topic,
    String key,
    Instant failedFrom,
    Instant failedBefore,
    String errorContains) {

  /** Copies the lists; blank strings mean "any". */
  public DeadLetterQuery {
    ids = ids == null ? List.of() : List.copyOf(ids);
    messageIds = messageIds == null ? List.of() : List.copyOf(messageIds);
    topic = blankToNull(topic);
    key = blankToNull(key);
    errorContains = blankToNull(errorContains);
  }

  /** Every dead letter. */
  public static DeadLetterQuery all() {
    return new DeadLetterQuery(null, null, null, null, null, null, null);
  }

  /** This query, restricted to {@code topic}. */
  public DeadLetterQuery topic(String topic) {
    return new DeadLetterQuery(
        ids, messageIds, topic, key, failedFrom, failedBefore, errorContains);
  }

  /** This query, restricted to {@code key}. */
  public DeadLetterQuery key(String key) {
    return new DeadLetterQuery(
        ids, messageIds, topic, key, failedFrom, failedBefore, errorContains);
  }

  /** This query, restricted to last errors containing {@code text}. */
  public DeadLetterQuery errorContains(String text) {
    return new DeadLetterQuery(ids, messageIds, topic, key, failedFrom, failedBefore, text);
  }

  /** This query, restricted to these dead-letter ids. */
  public DeadLetterQuery ids(List<Long> ids) {
    return new DeadLetterQuery(
        ids, messageIds, topic, key, failedFrom, failedBefore, errorContains);
  }

  /** This query, restricted to dead letters that failed in {@code [from, before)}. */
  public DeadLetterQuery failedBetween(Instant from, Instant before) {
    return new DeadLetterQuery(ids, messageIds, topic, key, from, before, errorContains);
  }

  /** A short human-readable form, as written into the audit table. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    append(s, "id", ids.isEmpty() ? null : ids.toString());
    append(s, "message-id", messageIds.isEmpty() ? null : messageIds.toString());
    append(s, "topic", topic);
    append(s, "key", key);
    append(s, "failed-from", failedFrom);
    append(s, "failed-before", failedBefore);
    append(s, "error", errorContains);
    return s.length() == 0 ? "all" : s.toString();
  }

  private static void append(StringBuilder s, String name, Object value) {
    if (value != null) {
      s.append(s.length() == 0 ? "" : " ").append(name).append('=').append(value);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
