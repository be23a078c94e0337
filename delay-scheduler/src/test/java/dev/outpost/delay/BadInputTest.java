package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class BadInputTest {

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();
  private final DelayScheduler delay;

  BadInputTest(TestDatabase db) {
    this.db = db;
    this.delay =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .clock(clock)
            .maxDelay(Duration.ofDays(30))
            .build();
  }

  @AfterEach
  void close() {
    delay.close();
  }

  private static OutboxMessage message() {
    return OutboxMessage.to("order-timeout").key("o1").payload(utf8("x")).build();
  }

  private void rejectedInTx(ThrowingCallableOnConnection call, String... messageParts) {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      ThrowingCallable callable = () -> call.call(connection);
      var thrown = assertThatThrownBy(callable).isInstanceOf(IllegalArgumentException.class);
      for (String part : messageParts) {
        thrown.hasMessageContaining(part);
      }
      connection.commit();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException(e);
    }
    assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
  }

  interface ThrowingCallableOnConnection {
    void call(Connection connection) throws Exception;
  }

  @Test
  void a_negative_delay_is_rejected() {
    rejectedInTx(
        c -> delay.schedule(c, message(), Duration.ofSeconds(-1)), "PT-1S", "zero or positive");
    rejectedInTx(
        c -> delay.schedule(c, message(), Duration.ofSeconds(-1), "o1"), "zero or positive");
  }

  @Test
  void a_delay_beyond_max_delay_is_rejected_naming_the_limit() {
    rejectedInTx(
        c -> delay.schedule(c, message(), Duration.ofDays(31)), "PT744H", "maxDelay", "PT720H");
    rejectedInTx(c -> delay.schedule(c, message(), Duration.ofSeconds(Long.MAX_VALUE)), "maxDelay");
  }

  @Test
  void a_due_time_absurdly_far_away_is_rejected_naming_the_limit() {
    rejectedInTx(c -> delay.scheduleAt(c, message(), Instant.MAX), "maxDelay", "latest allowed");
    rejectedInTx(
        c -> delay.scheduleAt(c, message(), clock.instant().plus(Duration.ofDays(31)), "o1"),
        "maxDelay");
    rejectedInTx(c -> delay.scheduleAt(c, message(), Instant.MIN), "maxDelay", "before now");
  }

  @Test
  void a_due_time_in_the_past_is_due_at_once() {
    inTx(db.dataSource(), c -> delay.scheduleAt(c, message(), clock.instant().minusSeconds(60)));

    assertThat(delay.runOnce().moved()).isEqualTo(1);
  }

  @Test
  void a_zero_delay_is_due_at_the_next_sweep() {
    inTx(db.dataSource(), c -> delay.schedule(c, message(), Duration.ZERO));

    assertThat(delay.runOnce().moved()).isEqualTo(1);
  }

  @Test
  void missing_arguments_are_rejected() {
    rejectedInTx(c -> delay.schedule(c, message(), null), "delay must not be null");
    rejectedInTx(c -> delay.scheduleAt(c, message(), null), "deliverAt must not be null");
    rejectedInTx(c -> delay.schedule(c, null, Duration.ZERO), "message must not be null");
    rejectedInTx(c -> delay.schedule((Connection) null, message(), Duration.ZERO), "tx");
    rejectedInTx(c -> delay.schedule(c, message(), Duration.ZERO, null), "cancelKey");
    rejectedInTx(c -> delay.schedule(c, message(), Duration.ZERO, "  "), "cancelKey");
  }

  @Test
  void a_cancel_key_longer_than_the_outbox_key_limit_is_rejected() {
    String tooLong = "k".repeat(1025);

    rejectedInTx(c -> delay.schedule(c, message(), Duration.ZERO, tooLong), "1025", "maxKeyLength");
  }

  @Test
  void cancel_and_reschedule_reject_null_or_blank_identifiers() {
    Instant later = clock.instant().plusSeconds(1);
    rejectedInTx(c -> delay.cancel(c, null, "o1"), "topic");
    rejectedInTx(c -> delay.cancel(c, "order-timeout", null), "cancelKey");
    rejectedInTx(c -> delay.cancel(c, "order-timeout", ""), "cancelKey");
    rejectedInTx(c -> delay.reschedule(c, " ", "o1", later), "topic");
    rejectedInTx(c -> delay.reschedule(c, "order-timeout", null, later), "cancelKey");
    rejectedInTx(c -> delay.reschedule(c, "order-timeout", "o1", null), "deliverAt");
  }

  @Test
  void rescheduling_beyond_max_delay_is_rejected_and_leaves_the_message_alone() {
    ScheduledMessage scheduled =
        inTx(db.dataSource(), c -> delay.schedule(c, message(), Duration.ofMinutes(5), "o1"));
    Instant tooLate = clock.instant().plus(Duration.ofDays(31));

    assertThatThrownBy(
            () -> inTx(db.dataSource(), c -> delay.reschedule(c, "order-timeout", "o1", tooLate)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDelay");

    clock.advance(Duration.ofMinutes(5));
    assertThat(delay.runOnce().moved()).isEqualTo(1);
    assertThat(Db.outbox(db.dataSource()).get(0).availableAt()).isEqualTo(scheduled.deliverAt());
  }

  @Test
  void cancelling_an_unknown_key_returns_false() {
    assertThat(
            Db.inTxBoolean(
                db.dataSource(), c -> delay.cancel(c, "order-timeout", "never-scheduled")))
        .isFalse();
  }

  @Test
  void the_jooq_variants_reject_bad_input_the_same_way() {
    DSLContext dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
    assertThatThrownBy(
            () -> dsl.transaction(tx -> delay.schedule(tx.dsl(), message(), Duration.ofDays(-1))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("zero or positive");
    assertThatThrownBy(
            () -> dsl.transaction(tx -> delay.scheduleAt(tx.dsl(), message(), Instant.MAX, "o1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("maxDelay");
    assertThatThrownBy(() -> dsl.transaction(tx -> delay.cancel(tx.dsl(), "order-timeout", null)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
  }

  @Test
  void scheduling_an_already_pending_message_id_fails_with_the_id_in_the_message() {
    OutboxMessage message = message();
    inTx(db.dataSource(), c -> delay.schedule(c, message, Duration.ofMinutes(1)));

    assertThatThrownBy(
            () -> inTx(db.dataSource(), c -> delay.schedule(c, message, Duration.ofMinutes(2))))
        .isInstanceOf(dev.outpost.outbox.OutpostException.class)
        .hasMessageContaining(message.messageId().toString());
    assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isEqualTo(1);
  }
}
