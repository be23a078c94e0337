package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class PendingTest {

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  PendingTest(TestDatabase db) {
    this.db = db;
  }

  @Test
  void pending_counts_scheduled_messages_and_names_the_earliest_due_time() {
    try (DelayScheduler delay =
        DelayScheduler.builder().dataSource(db.dataSource()).clock(clock).build()) {
      assertThat(delay.pending()).isEqualTo(new PendingDelayed(0, null));

      ScheduledMessage a =
          inTx(db.dataSource(), c -> delay.schedule(c, message("a"), Duration.ofMinutes(9), "a"));
      ScheduledMessage b =
          inTx(db.dataSource(), c -> delay.schedule(c, message("b"), Duration.ofMinutes(3), "b"));
      inTx(db.dataSource(), c -> delay.schedule(c, message("c"), Duration.ofMinutes(6), "c"));
      assertThat(delay.pending()).isEqualTo(new PendingDelayed(3, b.deliverAt()));

      inTx(db.dataSource(), c -> delay.cancel(c, "t", "b"));
      clock.advance(Duration.ofMinutes(7));
      assertThat(delay.runOnce().moved()).isEqualTo(1); // c
      assertThat(delay.pending()).isEqualTo(new PendingDelayed(1, a.deliverAt()));
    }
  }

  private static OutboxMessage message(String key) {
    return OutboxMessage.to("t").key(key).payload(utf8(key)).build();
  }
}
