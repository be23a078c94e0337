package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class MessageIdsTest {

  @Test
  void generates_rfc_9562_version_7_ids_stamped_with_the_current_time() {
    long before = System.currentTimeMillis();
    UUID id = MessageIds.next();
    long after = System.currentTimeMillis();

    assertThat(id.version()).isEqualTo(7);
    assertThat(id.variant()).isEqualTo(2);
    // The counter may borrow a millisecond or two ahead when ids are drawn very fast.
    assertThat(MessageIds.timestampMillis(id)).isBetween(before, after + 2);
  }

  @Test
  void generates_strictly_increasing_ids_in_one_thread() {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      ids.add(MessageIds.next());
    }

    for (int i = 1; i < ids.size(); i++) {
      assertThat(
              Long.compareUnsigned(
                  ids.get(i).getMostSignificantBits(), ids.get(i - 1).getMostSignificantBits()))
          .as("id %d is greater than id %d", i, i - 1)
          .isPositive();
    }
  }

  @Test
  void generates_unique_and_per_thread_increasing_ids_across_threads() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<List<UUID>>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(
            () -> {
              List<UUID> ids = new ArrayList<>();
              for (int i = 0; i < 10_000; i++) {
                ids.add(MessageIds.next());
              }
              return ids;
            });
      }
      Set<UUID> all = new HashSet<>();
      for (Future<List<UUID>> result : pool.invokeAll(tasks)) {
        List<UUID> ids = result.get();
        assertThat(ids).isSortedAccordingTo(MessageIdsTest::unsignedOrder);
        all.addAll(ids);
      }
      assertThat(all).hasSize(40_000);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refuses_to_read_a_timestamp_from_another_uuid_version() {
    UUID random = UUID.fromString("3f2b1c4e-8a1d-4c2e-9f10-2b3c4d5e6f70");

    assertThatThrownBy(() -> MessageIds.timestampMillis(random))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("message id 3f2b1c4e-8a1d-4c2e-9f10-2b3c4d5e6f70 is not a UUIDv7");
  }

  /** PostgreSQL's uuid order: the 16 bytes compared unsigned. */
  static int unsignedOrder(UUID a, UUID b) {
    int most = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
    return most != 0
        ? most
        : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
  }
}
