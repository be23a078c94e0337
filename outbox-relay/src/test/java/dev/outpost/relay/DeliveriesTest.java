package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.relay.Deliveries.Delivery;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class DeliveriesTest {

  private final UUID a0 = UUID.randomUUID();
  private final UUID a1 = UUID.randomUUID();
  private final UUID a2 = UUID.randomUUID();
  private final UUID b0 = UUID.randomUUID();
  private final UUID rolledBack = UUID.randomUUID();

  @Test
  void classifies_lost_unexpected_duplicated_and_reordered_deliveries() {
    List<Delivery> history =
        List.of(
            new Delivery(a1, "a", 1),
            new Delivery(a0, "a", 0),
            new Delivery(a1, "a", 1),
            new Delivery(rolledBack, "a", 9));

    Deliveries.Report report = Deliveries.classify(List.of(a0, a1, a2, b0), history);

    assertThat(report.lost()).isEqualTo(2);
    assertThat(report.unexpected()).isEqualTo(1);
    assertThat(report.duplicated()).isEqualTo(1);
    assertThat(report.orderViolations()).isEqualTo(1);
    assertThat(report.violationExamples()).containsExactly("a: 0 after 1");
  }

  @Test
  void a_clean_history_with_redeliveries_passes_and_counts_the_duplicates() {
    List<Delivery> history =
        List.of(
            new Delivery(a0, "a", 0),
            new Delivery(b0, "b", 0),
            new Delivery(a1, "a", 1),
            new Delivery(a0, "a", 0),
            new Delivery(a2, "a", 2));

    assertThat(Deliveries.check(List.of(a0, a1, a2, b0), history)).isEqualTo(1);
  }

  @Test
  void check_fails_on_a_lost_message() {
    assertThatThrownBy(() -> Deliveries.check(List.of(a0, a1), List.of(new Delivery(a0, "a", 0))))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("lost");
  }
}
