package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The checker of RELIABILITY.md over a delivery history, shared by every failure test: lost,
 * unexpected, duplicated, and per-key order of first deliveries.
 */
public final class Deliveries {

  /**
   * One delivery: message id, key, and the message's sequence number in its key's commit order. A
   * delivery of a message that was never committed has whatever key and sequence the consumer saw.
   */
  public record Delivery(UUID messageId, String key, long sequence) {}

  /** The classification of a run. */
  public record Report(
      int committed,
      int delivered,
      int lost,
      int unexpected,
      int duplicated,
      int orderViolations,
      List<String> violationExamples) {

    /** A copy with {@code extra} more unexpected deliveries (e.g. a wrong payload). */
    public Report withUnexpected(int extra) {
      return new Report(
          committed,
          delivered,
          lost,
          unexpected + extra,
          duplicated,
          orderViolations,
          violationExamples);
    }

    @Override
    public String toString() {
      return "committed="
          + committed
          + " delivered="
          + delivered
          + " lost="
          + lost
          + " unexpected="
          + unexpected
          + " duplicated="
          + duplicated
          + " orderViolations="
          + orderViolations
          + (violationExamples.isEmpty() ? "" : " e.g. " + violationExamples);
    }
  }

  private Deliveries() {}

  /**
   * Classifies {@code history} (in delivery order) against the {@code committed} message ids. An
   * order violation is a first delivery of a key whose sequence is lower than an earlier first
   * delivery of the same key.
   */
  public static Report classify(Collection<UUID> committed, List<Delivery> history) {
    Set<UUID> committedIds = new HashSet<>(committed);
    Set<UUID> seen = new HashSet<>();
    Map<String, Long> lastFirstDelivery = new HashMap<>();
    List<String> examples = new ArrayList<>();
    int unexpected = 0;
    int duplicated = 0;
    int violations = 0;
    for (Delivery d : history) {
      if (!committedIds.contains(d.messageId())) {
        unexpected++;
        continue;
      }
      if (!seen.add(d.messageId())) {
        duplicated++;
        continue;
      }
      Long previous = lastFirstDelivery.put(d.key(), d.sequence());
      if (previous != null && previous > d.sequence()) {
        violations++;
        lastFirstDelivery.put(d.key(), previous);
        if (examples.size() < 5) {
          examples.add(d.key() + ": " + d.sequence() + " after " + previous);
        }
      }
    }
    int lost = committedIds.size() - seen.size();
    return new Report(
        committedIds.size(), history.size(), lost, unexpected, duplicated, violations, examples);
  }

  /**
   * Asserts no loss, no unexpected delivery and per-key order of first deliveries.
   *
   * @return the number of duplicate deliveries
   */
  static int check(List<UUID> committed, List<Delivery> history) {
    Report report = classify(committed, history);
    assertThat(report.unexpected()).as("unexpected deliveries: %s", report).isZero();
    assertThat(report.lost()).as("lost messages: %s", report).isZero();
    assertThat(report.orderViolations())
        .as("per-key order violations of first deliveries: %s", report)
        .isZero();
    return report.duplicated();
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
