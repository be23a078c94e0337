package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The checker of RELIABILITY.md over a delivery history: lost, unexpected, duplicated, and per-key
 * order of first deliveries.
 */
final class Deliveries {

  /** One delivery: message id, key, and the message's sequence number in its key's commit order. */
  record Delivery(UUID messageId, String key, long sequence) {}

  private Deliveries() {}

  /** Checks {@code history} against {@code committed} (in commit order); returns the duplicates. */
  static int check(List<UUID> committed, List<Delivery> history) {
    Set<UUID> committedIds = new HashSet<>(committed);
    Set<UUID> seen = new HashSet<>();
    Map<String, Long> lastFirstDelivery = new HashMap<>();
    List<String> orderViolations = new ArrayList<>();
    int duplicates = 0;
    for (Delivery d : history) {
      assertThat(committedIds).as("unexpected delivery %s", d.messageId()).contains(d.messageId());
      if (!seen.add(d.messageId())) {
        duplicates++;
        continue;
      }
      Long previous = lastFirstDelivery.put(d.key(), d.sequence());
      if (previous != null && previous > d.sequence()) {
        orderViolations.add(d.key() + ": " + d.sequence() + " after " + previous);
      }
    }
    Set<UUID> lost = new HashSet<>(committedIds);
    lost.removeAll(seen);
    assertThat(lost).as("lost messages").isEmpty();
    assertThat(orderViolations).as("per-key order violations of first deliveries").isEmpty();
    return duplicates;
  }

  /** Deliveries grouped by key, for messages. */
  static Map<String, List<Long>> byKey(List<Delivery> history) {
    Map<String, List<Long>> byKey = new LinkedHashMap<>();
    for (Delivery d : history) {
      byKey.computeIfAbsent(d.key(), k -> new ArrayList<>()).add(d.sequence());
    }
    return byKey;
  }
}
