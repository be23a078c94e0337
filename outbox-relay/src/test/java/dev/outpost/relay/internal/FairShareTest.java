package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class FairShareTest {

  @Test
  void shares_add_up_to_exactly_the_partition_count() {
    List<String> live = List.of("a", "b", "c", "d", "e");

    int total = 0;
    for (String me : live) {
      total += LeaseKeeper.fairShare(16, live, me);
    }

    assertThat(total).isEqualTo(16);
    assertThat(LeaseKeeper.fairShare(16, live, "a")).isEqualTo(4);
    assertThat(LeaseKeeper.fairShare(16, live, "e")).isEqualTo(3);
  }

  @Test
  void a_lone_relay_takes_everything_and_more_relays_than_partitions_leave_some_idle() {
    assertThat(LeaseKeeper.fairShare(16, List.of("a"), "a")).isEqualTo(16);
    assertThat(LeaseKeeper.fairShare(2, List.of("a", "b", "c"), "c")).isZero();
    assertThat(LeaseKeeper.fairShare(2, List.of("a", "b", "c"), "a")).isEqualTo(1);
  }

  @Test
  void counts_itself_when_its_heartbeat_is_not_visible_yet() {
    assertThat(LeaseKeeper.fairShare(16, List.of(), "a")).isEqualTo(16);
    assertThat(LeaseKeeper.fairShare(16, List.of("b"), "a")).isEqualTo(8);
  }
}
