package dev.outpost.delay.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.DuplicateCancelKey;
import dev.outpost.delay.ScheduledMessage;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class WakeTimerTest {

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  WakeTimerTest(TestDatabase db) {
    this.db = db;
  }

  private WakeTimer timer() {
    Sweeper sweeper =
        new Sweeper(
            db.dataSource(),
            new DelayedRepositories(db.schema(), DuplicateCancelKey.REPLACE),
            clock,
            5_000,
            DelayMetrics.NONE,
            () -> {});
    return new WakeTimer(sweeper, clock, Duration.ofSeconds(10), "wake-timer-test");
  }

  /**
   * A scheduler that is never started: it only writes rows (its own timer is not the one tested).
   */
  private DelayScheduler writer() {
    return DelayScheduler.builder()
        .dataSource(db.dataSource())
        .schema(db.schema())
        .clock(clock)
        .build();
  }

  private static OutboxMessage message(String key) {
    return OutboxMessage.to("wake-test")
        .key(key)
        .payload(key.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  private ScheduledMessage schedule(DelayScheduler delay, String key, Duration in)
      throws Exception {
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      ScheduledMessage scheduled = delay.schedule(c, message(key), in, key);
      c.commit();
      return scheduled;
    }
  }

  private long outboxCount() {
    return db.queryLong("SELECT count(*) FROM outbox_message WHERE topic = 'wake-test'");
  }

  @Test
  void a_nudge_makes_the_timer_sweep_at_the_due_time_and_not_before() throws Exception {
    try (DelayScheduler delay = writer()) {
      WakeTimer timer = timer();
      timer.step(); // first refresh: nothing pending
      ScheduledMessage scheduled = schedule(delay, "a", Duration.ofSeconds(2));
      timer.nudge(scheduled.deliverAt());

      assertThat(timer.nextWakeUp()).isEqualTo(scheduled.deliverAt());
      clock.set(scheduled.deliverAt().minusNanos(1_000));
      assertThat(timer.step().moved()).isZero();
      assertThat(outboxCount()).isZero();

      clock.set(scheduled.deliverAt());
      assertThat(timer.step().moved()).isEqualTo(1);
      assertThat(outboxCount()).isEqualTo(1);
    }
  }

  @Test
  void the_timer_finds_the_next_due_time_in_the_table_without_a_nudge() throws Exception {
    try (DelayScheduler delay = writer()) {
      ScheduledMessage later = schedule(delay, "later", Duration.ofSeconds(5));
      ScheduledMessage sooner = schedule(delay, "sooner", Duration.ofSeconds(3));
      WakeTimer timer = timer();

      assertThat(timer.step().moved()).isZero();
      assertThat(timer.nextWakeUp()).isEqualTo(sooner.deliverAt());

      clock.set(sooner.deliverAt());
      assertThat(timer.step().moved()).isEqualTo(1);
      // the sweep read the table again: the next wake-up is the later message
      assertThat(timer.nextWakeUp()).isEqualTo(later.deliverAt());
      assertThat(outboxCount()).isEqualTo(1);
    }
  }

  @Test
  void a_message_committed_after_its_nudged_due_time_is_swept_by_a_recheck() throws Exception {
    try (DelayScheduler delay = writer()) {
      WakeTimer timer = timer();
      timer.step();
      Instant due = clock.instant();
      // The scheduling transaction nudged but has not committed yet when the timer sweeps.
      timer.nudge(due);
      assertThat(timer.step().moved()).isZero();

      schedule(delay, "late-commit", Duration.ZERO);
      Instant recheck = timer.nextWakeUp();
      assertThat(recheck).isAfter(due).isBeforeOrEqualTo(due.plus(WakeTimer.MIN_GAP));
      clock.set(recheck);
      assertThat(timer.step().moved()).isEqualTo(1);
      assertThat(outboxCount()).isEqualTo(1);
    }
  }

  @Test
  void sweeps_of_the_timer_are_at_least_the_minimum_gap_apart() throws Exception {
    try (DelayScheduler delay = writer()) {
      WakeTimer timer = timer();
      timer.step();
      ScheduledMessage first = schedule(delay, "first", Duration.ofSeconds(1));
      ScheduledMessage second = schedule(delay, "second", Duration.ofSeconds(1).plusMillis(1));
      timer.nudge(first.deliverAt());
      clock.set(first.deliverAt());
      assertThat(timer.step().moved()).isEqualTo(1);

      clock.set(second.deliverAt());
      assertThat(timer.nextWakeUp()).isEqualTo(first.deliverAt().plus(WakeTimer.MIN_GAP));
      assertThat(timer.step().moved()).isZero();
      clock.set(first.deliverAt().plus(WakeTimer.MIN_GAP));
      assertThat(timer.step().moved()).isEqualTo(1);
    }
  }

  @Test
  void a_started_scheduler_delivers_long_before_the_next_quartz_fire() throws Exception {
    // The Quartz sweep fires at start and then once an hour: only the in-node timer can deliver
    // a message due in 300 ms within the await.
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .sweepInterval(Duration.ofHours(1))
            .quartzSchedulerName("outpost-wake-timer-test")
            .build()) {
      delay.start();
      Instant before = Instant.now();
      ScheduledMessage scheduled;
      try (Connection c = db.dataSource().getConnection()) {
        c.setAutoCommit(false);
        scheduled = delay.schedule(c, message("soon"), Duration.ofMillis(300), "soon");
        c.commit();
      }
      await().atMost(Duration.ofSeconds(20)).until(() -> outboxCount() == 1);
      assertThat(Instant.now()).isAfterOrEqualTo(scheduled.deliverAt());
      assertThat(scheduled.deliverAt()).isAfter(before);
    }
  }
}
