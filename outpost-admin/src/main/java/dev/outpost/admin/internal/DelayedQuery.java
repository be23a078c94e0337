package dev.outpost.admin.internal;

import java.time.Instant;
import java.util.List;

/**
 * Which delayed messages to list or cancel; every non-null part must match.
 *
 * @param ids delayed-message ids, or empty for any
 * @param topic only this topic, or null
 * @param cancelKey only this cancel key, or null
 * @param dueBefore due before this instant, or null
 */
public record DelayedQuery(List<Long> ids, String topic, String cancelKey, Instant dueBefore) {

  /** Copies the list; blank strings mean "any". */
  public DelayedQuery {
    ids = ids == null ? List.of() : List.copyOf(ids);
    topic = topic == null || topic.isBlank() ? null : topic;
    cancelKey = cancelKey == null || cancelKey.isBlank() ? null : cancelKey;
  }

  /** True when nothing restricts the query. */
  public boolean isAll() {
    return ids.isEmpty() && topic == null && cancelKey == null && dueBefore == null;
  }

  /** A short human-readable form, as written into the audit table. */
  public String describe() {
    StringBuilder s = new StringBuilder();
    if (!ids.isEmpty()) {
      s.append("id=").append(ids).append(' ');
    }
    if (topic != null) {
      s.append("topic=").append(topic).append(' ');
    }
    if (cancelKey != null) {
      s.append("cancel-key=").append(cancelKey).append(' ');
    }
    if (dueBefore != null) {
      s.append("due-before=").append(dueBefore).append(' ');
    }
    return s.length() == 0 ? "all" : s.toString().trim();
  }
}
