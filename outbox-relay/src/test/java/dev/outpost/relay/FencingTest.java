package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.Outbox;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A relay paused past its lease while publishing: its stale outcome is refused. */
@ExtendWith(OutpostDatabaseExtension.class)
class FencingTest {

  private static final Duration LEASE = Duration.ofSeconds(2);
  private final MutableClock clock = MutableClock.atSystemTime();

  private Relay relay(TestDatabase db, String id, Publisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .instanceId(id)
        .partitions(1)
        .listen(false)
        .clock(clock)
        .leaseDuration(LEASE)
        .backoffJitter(0)
        .build();
  }

  /** A publisher that, during its first batch, lets time pass the lease and runs {@code other}. */
  private Publisher pausingPublisher(
      List<RelayMessage> sent,
      Relay[] other,
      Function<List<RelayMessage>, RecordingPublisher> outcome) {
    RecordingPublisher inner = new RecordingPublisher();
    return new Publisher() {
      boolean paused;

      @Override
      public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
        sent.addAll(batch);
        if (!paused) {
          paused = true;
          clock.advance(LEASE.plusSeconds(1));
          other[0].runOnce();
        }
        return outcome.apply(batch).publish(batch);
      }
    };
  }

  @Test
  void a_relay_paused_past_its_lease_cannot_delete_behind_the_new_owner(TestDatabase db) {
    new Messages(db.dataSource(), Outbox.builder().partitions(1).build()).sendSpread("t", 3, 3);
    RecordingPublisher newOwner = new RecordingPublisher();
    List<RelayMessage> sentByStale = new ArrayList<>();
    Relay[] b = new Relay[1];
    try (Relay a =
            relay(db, "A", pausingPublisher(sentByStale, b, batch -> new RecordingPublisher()));
        Relay relayB = relay(db, "B", newOwner)) {
      b[0] = relayB;

      int deletedByA = a.runOnce();

      assertThat(deletedByA).isZero();
      assertThat(newOwner.count()).isEqualTo(3);
      assertThat(sentByStale).hasSize(3);
      assertThat(a.health().ownedPartitions()).as("A dropped the partition").isEmpty();
      assertThat(b[0].health().ownedPartitions()).containsExactly(0);
      assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM relay_lease WHERE owner = 'B' AND fencing_token = 2"))
          .isEqualTo(1);
    }
  }

  @Test
  void a_relay_paused_past_its_lease_cannot_reschedule_or_dead_letter(TestDatabase db) {
    new Messages(db.dataSource(), Outbox.builder().partitions(1).build()).sendSpread("t", 2, 2);
    Relay[] b = new Relay[1];
    RecordingPublisher blocked = new RecordingPublisher();
    List<RelayMessage> sentByStale = new ArrayList<>();
    RecordingPublisher failing = new RecordingPublisher().alwaysFailKey("k0").rejectKey("k1");
    try (Relay a = relay(db, "A", pausingPublisher(sentByStale, b, batch -> failing));
        Relay relayB = relay(db, "B", blocked)) {
      b[0] = relayB;
      // B cannot finish either, so the rows are still there when A reports its outcome.
      blocked.alwaysFailKey("k0").alwaysFailKey("k1");

      a.runOnce();

      assertThat(db.queryLong("SELECT count(*) FROM outbox_dead_letter"))
          .as("A's rejection was refused")
          .isZero();
      assertThat(db.queryLong("SELECT max(attempts) FROM outbox_message"))
          .as("only B's failure counted")
          .isEqualTo(1);
    }
  }
}
