package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
@PostgresOnly // PostgreSQL SQL in the test and an hour-long misfire scenario run on one database
class MisfireTest {

  private static final String CLUSTER = "outpost-misfire-test";
  private static final int MESSAGES = 1_000;

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  MisfireTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void clearQuartz() {
    QuartzTables.clear(db);
    MisfireRecorder.MISFIRED.clear();
  }

  private DelayScheduler node() {
    Properties quartz = new Properties();
    quartz.setProperty(
        "org.quartz.triggerListener.misfires.class", MisfireRecorder.class.getName());
    return DelayScheduler.builder()
        .dataSource(db.dataSource())
        .clock(clock)
        .batchSize(100)
        .quartzSchedulerName(CLUSTER)
        .quartzProperties(quartz)
        .build();
  }

  @Test
  void messages_that_fell_due_while_the_scheduler_was_down_are_delivered_oldest_first_on_restart() {
    try (DelayScheduler before = node()) {
      before.start();
    }
    Instant downAt = clock.instant();
    List<Integer> seconds = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      seconds.add(1 + i * 3); // due during the hour of downtime, 3 s apart
    }
    Collections.shuffle(seconds, new Random(3));
    List<UUID> ids = new ArrayList<>();
    List<Instant> dues = new ArrayList<>();
    inTx(
        db.dataSource(),
        c -> {
          try (DelayScheduler writer = node()) {
            for (int second : seconds) {
              Instant due = downAt.plusSeconds(second);
              OutboxMessage message =
                  OutboxMessage.to("order-timeout").key("k" + second).payload(utf8("p")).build();
              ids.add(writer.scheduleAt(c, message, due).messageId());
              dues.add(due);
            }
          }
          return null;
        });
    // The hour passes with no node running: the sweep trigger's next fire lies an hour back.
    clock.advance(Duration.ofHours(1));
    db.execute(
        "UPDATE qrtz_triggers SET next_fire_time = next_fire_time - 3600000"
            + " WHERE sched_name = '"
            + CLUSTER
            + "'");

    try (DelayScheduler after = node()) {
      after.start();

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> db.queryLong("SELECT count(*) FROM delayed_message") == 0);
      // The node's wake-up timer may have moved the backlog before Quartz's first fire; Quartz
      // still handles the kept trigger's missed fires as a misfire.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> MisfireRecorder.MISFIRED.contains("outpost.delay-sweep-public"));
    }

    List<Integer> byDue = new ArrayList<>();
    for (int i = 0; i < MESSAGES; i++) {
      byDue.add(i);
    }
    byDue.sort(Comparator.comparing(dues::get));
    assertThat(Db.outbox(db.dataSource()))
        .extracting(Db.OutboxRow::messageId)
        .containsExactlyElementsOf(byDue.stream().map(ids::get).toList());
    assertThat(MisfireRecorder.MISFIRED)
        .as("Quartz handled the missed sweeps as a misfire of the kept trigger")
        .contains("outpost.delay-sweep-public");
  }
}
