package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
@PostgresOnly // PostgreSQL SQL and jOOQ dialect in the test; GuaranteesTest covers cancel on
// MariaDB
class CancelTest {

  private static final String TOPIC = "order-timeout";

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  CancelTest(TestDatabase db) {
    this.db = db;
  }

  private DelayScheduler delay(DuplicateCancelKey policy) {
    return DelayScheduler.builder()
        .dataSource(db.dataSource())
        .clock(clock)
        .duplicateCancelKey(policy)
        .build();
  }

  private static OutboxMessage timeout(String orderId, String payload) {
    return OutboxMessage.to(TOPIC).key(orderId).payload(utf8(payload)).build();
  }

  private long pending() {
    return db.queryLong("SELECT count(*) FROM delayed_message");
  }

  @Test
  void cancelling_in_a_later_transaction_prevents_delivery() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "x"), Duration.ofMinutes(5), "o1"));

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, TOPIC, "o1"))).isTrue();

      clock.advance(Duration.ofMinutes(10));
      assertThat(delay.runOnce().moved()).isZero();
      assertThat(Db.outbox(db.dataSource())).isEmpty();
      assertThat(pending()).isZero();
    }
  }

  @Test
  void cancel_after_the_message_moved_to_the_outbox_returns_false_and_the_message_stays() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "x"), Duration.ofMinutes(5), "o1"));
      clock.advance(Duration.ofMinutes(5));
      assertThat(delay.runOnce().moved()).isEqualTo(1);

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, TOPIC, "o1"))).isFalse();
      assertThat(Db.outbox(db.dataSource())).hasSize(1);
    }
  }

  @Test
  void cancelling_twice_returns_true_then_false() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "x"), Duration.ofMinutes(5), "o1"));

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, TOPIC, "o1"))).isTrue();
      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, TOPIC, "o1"))).isFalse();
    }
  }

  @Test
  void a_rolled_back_cancel_leaves_the_message_to_be_delivered() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "x"), Duration.ofMinutes(5), "o1"));

      assertThat((boolean) Db.inRolledBackTx(db.dataSource(), c -> delay.cancel(c, TOPIC, "o1")))
          .isTrue();

      clock.advance(Duration.ofMinutes(5));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
    }
  }

  @Test
  void a_sweep_skips_a_message_whose_cancel_is_uncommitted_and_the_cancel_wins() throws Exception {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE);
        Connection paying = db.dataSource().getConnection()) {
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "x"), Duration.ofMinutes(5), "o1"));
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o2", "y"), Duration.ofMinutes(5), "o2"));
      clock.advance(Duration.ofMinutes(5));
      paying.setAutoCommit(false);
      assertThat(delay.cancel(paying, TOPIC, "o1")).isTrue();

      SweepResult whileCancelOpen = delay.runOnce();
      paying.commit();
      paying.setAutoCommit(true);

      assertThat(whileCancelOpen.moved()).isEqualTo(1);
      assertThat(delay.runOnce().moved()).isZero();
      assertThat(Db.outbox(db.dataSource())).extracting(Db.OutboxRow::key).containsExactly("o2");
    }
  }

  @Test
  void cancel_keys_are_scoped_by_topic() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      OutboxMessage reminder =
          OutboxMessage.to("payment-reminder").key("o1").payload(utf8("r")).build();
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "t"), Duration.ofMinutes(5), "o1"));
      inTx(db.dataSource(), c -> delay.schedule(c, reminder, Duration.ofMinutes(2), "o1"));

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, "payment-reminder", "o1")))
          .isTrue();

      clock.advance(Duration.ofMinutes(5));
      delay.runOnce();
      assertThat(Db.outbox(db.dataSource())).extracting(Db.OutboxRow::topic).containsExactly(TOPIC);
    }
  }

  @Test
  void cancel_and_reschedule_work_in_a_jooq_transaction() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      var dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
      dsl.transaction(
          tx -> delay.schedule(tx.dsl(), timeout("o1", "x"), Duration.ofMinutes(5), "o1"));
      dsl.transaction(
          tx -> delay.schedule(tx.dsl(), timeout("o2", "y"), Duration.ofMinutes(5), "o2"));
      Instant later = clock.instant().plus(Duration.ofMinutes(30));

      assertThat((boolean) dsl.transactionResult(tx -> delay.cancel(tx.dsl(), TOPIC, "o1")))
          .isTrue();
      assertThat(
              (boolean) dsl.transactionResult(tx -> delay.reschedule(tx.dsl(), TOPIC, "o2", later)))
          .isTrue();
      assertThat((boolean) dsl.transactionResult(tx -> delay.cancel(tx.dsl(), TOPIC, "o1")))
          .isFalse();

      clock.advance(Duration.ofMinutes(29));
      assertThat(delay.runOnce().moved()).isZero();
      clock.advance(Duration.ofMinutes(1));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
    }
  }

  @Test
  void rescheduling_later_delays_delivery_and_keeps_the_message_id() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      OutboxMessage message = timeout("o1", "x");
      inTx(db.dataSource(), c -> delay.schedule(c, message, Duration.ofMinutes(5), "o1"));
      Instant later = clock.instant().plus(Duration.ofMinutes(15));

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.reschedule(c, TOPIC, "o1", later)))
          .isTrue();

      clock.advance(Duration.ofMinutes(10));
      assertThat(delay.runOnce().moved()).isZero();
      clock.advance(Duration.ofMinutes(5));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::messageId)
          .containsExactly(message.messageId());
    }
  }

  @Test
  void rescheduling_earlier_or_into_the_past_makes_it_due_sooner() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      inTx(
          db.dataSource(), c -> delay.schedule(c, timeout("o1", "x"), Duration.ofMinutes(5), "o1"));
      Instant past = clock.instant().minusSeconds(1);

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.reschedule(c, TOPIC, "o1", past)))
          .isTrue();

      assertThat(delay.runOnce().moved()).isEqualTo(1);
    }
  }

  @Test
  void rescheduling_or_cancelling_an_unknown_key_returns_false() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      Instant later = clock.instant().plusSeconds(60);

      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.reschedule(c, TOPIC, "nope", later)))
          .isFalse();
      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, TOPIC, "nope"))).isFalse();
      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, "no-such-topic", "nope")))
          .isFalse();
    }
  }

  @Test
  void with_replace_a_second_schedule_of_a_pending_key_replaces_the_first() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE)) {
      OutboxMessage first = timeout("o1", "first");
      OutboxMessage second = timeout("o1", "second");
      inTx(db.dataSource(), c -> delay.schedule(c, first, Duration.ofMinutes(5), "o1"));

      ScheduledMessage replaced =
          inTx(db.dataSource(), c -> delay.schedule(c, second, Duration.ofMinutes(10), "o1"));

      assertThat(replaced.outcome()).isEqualTo(ScheduledMessage.Outcome.REPLACED);
      assertThat(replaced.messageId()).isEqualTo(second.messageId());
      assertThat(replaced.deliverAt()).isEqualTo(clock.instant().plus(Duration.ofMinutes(10)));
      assertThat(pending()).isEqualTo(1);
      clock.advance(Duration.ofMinutes(5));
      assertThat(delay.runOnce().moved()).isZero();
      clock.advance(Duration.ofMinutes(5));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::messageId, Db.OutboxRow::payload)
          .containsExactly(org.assertj.core.groups.Tuple.tuple(second.messageId(), "second"));
    }
  }

  @Test
  void with_keep_existing_a_second_schedule_of_a_pending_key_is_dropped() {
    try (DelayScheduler delay = delay(DuplicateCancelKey.KEEP_EXISTING)) {
      OutboxMessage first = timeout("o1", "first");
      ScheduledMessage original =
          inTx(db.dataSource(), c -> delay.schedule(c, first, Duration.ofMinutes(5), "o1"));

      ScheduledMessage kept =
          inTx(
              db.dataSource(),
              c -> delay.schedule(c, timeout("o1", "second"), Duration.ofMinutes(10), "o1"));

      assertThat(kept)
          .isEqualTo(
              new ScheduledMessage(
                  first.messageId(), original.deliverAt(), ScheduledMessage.Outcome.KEPT_EXISTING));
      clock.advance(Duration.ofMinutes(5));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::payload)
          .containsExactly("first");
    }
  }

  @Test
  void a_key_is_free_again_once_its_message_moved_to_the_outbox() {
    for (DuplicateCancelKey policy : DuplicateCancelKey.values()) {
      db.truncateOutpostTables();
      try (DelayScheduler delay = delay(policy)) {
        inTx(db.dataSource(), c -> delay.schedule(c, timeout("o1", "1"), Duration.ZERO, "o1"));
        delay.runOnce();

        ScheduledMessage again =
            inTx(db.dataSource(), c -> delay.schedule(c, timeout("o1", "2"), Duration.ZERO, "o1"));

        assertThat(again.outcome()).as(policy.name()).isEqualTo(ScheduledMessage.Outcome.SCHEDULED);
        delay.runOnce();
        assertThat(Db.outbox(db.dataSource()))
            .extracting(Db.OutboxRow::payload)
            .containsExactly("1", "2");
      }
    }
  }

  @Test
  void concurrent_schedules_of_one_key_leave_one_pending_message() throws Exception {
    try (DelayScheduler delay = delay(DuplicateCancelKey.REPLACE);
        Connection first = db.dataSource().getConnection()) {
      first.setAutoCommit(false);
      OutboxMessage one = timeout("o1", "one");
      OutboxMessage two = timeout("o1", "two");
      assertThat(delay.schedule(first, one, Duration.ofMinutes(5), "o1").outcome())
          .isEqualTo(ScheduledMessage.Outcome.SCHEDULED);

      CompletableFuture<ScheduledMessage> second =
          CompletableFuture.supplyAsync(
              () ->
                  inTx(db.dataSource(), c -> delay.schedule(c, two, Duration.ofMinutes(5), "o1")));
      first.commit();
      first.setAutoCommit(true);

      assertThat(second.get(30, TimeUnit.SECONDS).outcome())
          .isEqualTo(ScheduledMessage.Outcome.REPLACED);
      assertThat(pending()).isEqualTo(1);
      clock.advance(Duration.ofMinutes(5));
      delay.runOnce();
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::payload)
          .containsExactly("two");
    }
  }
}
