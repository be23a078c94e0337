package dev.outpost.delay;

import static dev.outpost.delay.Db.inRolledBackTx;
import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.Partitioner;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;

@ExtendWith(OutpostDatabaseExtension.class)
@PostgresOnly // PostgreSQL SQL (NOTIFY, casts) in the test; GuaranteesTest covers scheduling on
// MariaDB
class ScheduleTest {

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  ScheduleTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void businessTable() {
    db.execute("CREATE TABLE IF NOT EXISTS delay_test_business (id text PRIMARY KEY)");
    db.execute("TRUNCATE delay_test_business");
  }

  private DelayScheduler delay() {
    return DelayScheduler.builder().dataSource(db.dataSource()).clock(clock).build();
  }

  private static OutboxMessage message(String key, String payload) {
    return OutboxMessage.to("order-timeout")
        .key(key)
        .payload(utf8(payload))
        .header("type", "OrderTimeout")
        .build();
  }

  @Test
  void is_not_in_the_outbox_before_it_is_due_and_is_there_with_its_id_after_the_next_sweep() {
    try (DelayScheduler delay = delay()) {
      Instant scheduledAt = clock.instant();
      OutboxMessage message = message("order-1", "release order-1");
      ScheduledMessage scheduled =
          inTx(db.dataSource(), c -> delay.schedule(c, message, Duration.ofMinutes(5)));
      assertThat(scheduled.messageId()).isEqualTo(message.messageId());
      assertThat(scheduled.deliverAt()).isEqualTo(scheduledAt.plus(Duration.ofMinutes(5)));
      assertThat(scheduled.outcome()).isEqualTo(ScheduledMessage.Outcome.SCHEDULED);

      clock.advance(Duration.ofMinutes(5).minusNanos(1_000));
      assertThat(delay.runOnce()).isEqualTo(SweepResult.NOTHING_DUE);
      assertThat(Db.outbox(db.dataSource())).isEmpty();

      clock.advance(Duration.ofNanos(1_000));
      SweepResult result = delay.runOnce();

      assertThat(result.moved()).isEqualTo(1);
      assertThat(result.maxLateness()).isZero();
      List<Db.OutboxRow> outbox = Db.outbox(db.dataSource());
      assertThat(outbox).hasSize(1);
      Db.OutboxRow row = outbox.get(0);
      assertThat(row.messageId()).isEqualTo(message.messageId());
      assertThat(row.topic()).isEqualTo("order-timeout");
      assertThat(row.key()).isEqualTo("order-1");
      assertThat(row.payload()).isEqualTo("release order-1");
      assertThat(row.headers()).contains("\"type\": \"OrderTimeout\"");
      assertThat(row.partitionNo())
          .isEqualTo(Partitioner.partitionOfKey("order-1", delay.config().outbox().partitions()));
      assertThat(row.createdAt()).isEqualTo(scheduledAt);
      assertThat(row.availableAt()).isEqualTo(scheduled.deliverAt());
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
    }
  }

  @Test
  void reports_how_long_the_oldest_moved_message_had_been_due() {
    try (DelayScheduler delay = delay()) {
      inTx(db.dataSource(), c -> delay.schedule(c, message("a", "a"), Duration.ofSeconds(10)));
      inTx(db.dataSource(), c -> delay.schedule(c, message("b", "b"), Duration.ofSeconds(20)));
      clock.advance(Duration.ofMillis(20_300));

      SweepResult result = delay.runOnce();

      assertThat(result.moved()).isEqualTo(2);
      assertThat(result.batches()).isEqualTo(1);
      assertThat(result.maxLateness()).isEqualTo(Duration.ofMillis(10_300));
    }
  }

  @Test
  void leaves_messages_that_are_not_due_yet() {
    try (DelayScheduler delay = delay()) {
      inTx(db.dataSource(), c -> delay.schedule(c, message("a", "a"), Duration.ofSeconds(1)));
      inTx(db.dataSource(), c -> delay.schedule(c, message("b", "b"), Duration.ofHours(1)));
      clock.advance(Duration.ofMinutes(1));

      assertThat(delay.runOnce().moved()).isEqualTo(1);

      assertThat(Db.outbox(db.dataSource())).extracting(Db.OutboxRow::key).containsExactly("a");
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isEqualTo(1);
    }
  }

  @Test
  void commits_with_the_business_row_in_a_jooq_transaction() {
    try (DelayScheduler delay = delay()) {
      OutboxMessage message = message("order-7", "release order-7");
      DSL.using(db.dataSource(), SQLDialect.POSTGRES)
          .transaction(
              tx -> {
                tx.dsl().execute("INSERT INTO delay_test_business VALUES ('order-7')");
                delay.schedule(tx.dsl(), message, Duration.ofMinutes(5), "order-7");
              });

      assertThat(db.queryLong("SELECT count(*) FROM delay_test_business")).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isEqualTo(1);
      clock.advance(Duration.ofMinutes(5));
      delay.runOnce();
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::messageId)
          .containsExactly(message.messageId());
    }
  }

  @Test
  void a_rolled_back_transaction_leaves_neither_the_business_row_nor_the_delayed_message() {
    try (DelayScheduler delay = delay()) {
      DSLContext dsl = DSL.using(db.dataSource(), SQLDialect.POSTGRES);
      assertThatThrownBy(
              () ->
                  dsl.transaction(
                      tx -> {
                        tx.dsl().execute("INSERT INTO delay_test_business VALUES ('order-8')");
                        delay.schedule(tx.dsl(), message("order-8", "x"), Duration.ZERO, "order-8");
                        throw new IllegalStateException("payment service down");
                      }))
          .hasMessageContaining("payment service down");
      inRolledBackTx(
          db.dataSource(),
          c -> {
            c.createStatement().execute("INSERT INTO delay_test_business VALUES ('order-9')");
            return delay.scheduleAt(c, message("order-9", "x"), clock.instant());
          });

      assertThat(db.queryLong("SELECT count(*) FROM delay_test_business")).isZero();
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
      assertThat(delay.runOnce().moved()).isZero();
      assertThat(Db.outbox(db.dataSource())).isEmpty();
    }
  }

  @Test
  void moves_a_backlog_oldest_first_across_batches() {
    try (DelayScheduler delay =
        DelayScheduler.builder().dataSource(db.dataSource()).clock(clock).batchSize(7).build()) {
      Instant base = clock.instant();
      List<Integer> offsets = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        offsets.add(i % 40); // ten pairs share a due time: those keep scheduling order
      }
      Collections.shuffle(offsets, new Random(42));
      List<OutboxMessage> scheduledInOrder = new ArrayList<>();
      List<Instant> dues = new ArrayList<>();
      for (int offset : offsets) {
        OutboxMessage message = message("k" + offset, "due +" + offset + "s");
        Instant due = base.plusSeconds(offset);
        inTx(db.dataSource(), c -> delay.scheduleAt(c, message, due));
        scheduledInOrder.add(message);
        dues.add(due);
      }
      clock.advance(Duration.ofMinutes(1));

      SweepResult result = delay.runOnce();

      assertThat(result.moved()).isEqualTo(50);
      assertThat(result.batches()).isEqualTo(8);
      List<Integer> byDue = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        byDue.add(i);
      }
      byDue.sort(Comparator.comparing(dues::get)); // stable: ties keep scheduling order
      List<UUID> expected = byDue.stream().map(i -> scheduledInOrder.get(i).messageId()).toList();
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::messageId)
          .containsExactlyElementsOf(expected);
    }
  }

  @Test
  void a_due_time_is_rounded_up_to_microseconds_never_down() {
    try (DelayScheduler delay = delay()) {
      Instant at = clock.instant().plusSeconds(1).plusNanos(1);
      ScheduledMessage scheduled =
          inTx(db.dataSource(), c -> delay.scheduleAt(c, message("k", "p"), at));

      assertThat(scheduled.deliverAt())
          .isEqualTo(at.truncatedTo(ChronoUnit.MICROS).plus(1, ChronoUnit.MICROS));
      clock.set(at.truncatedTo(ChronoUnit.MICROS));
      assertThat(delay.runOnce().moved()).isZero();
      clock.set(scheduled.deliverAt());
      assertThat(delay.runOnce().moved()).isEqualTo(1);
    }
  }

  @Test
  void refuses_to_schedule_on_an_auto_commit_connection() throws Exception {
    try (DelayScheduler delay = delay();
        Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(true);

      assertThatThrownBy(() -> delay.schedule(connection, message("k", "p"), Duration.ZERO))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit");
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
    }
  }

  @Test
  void rejects_a_message_that_breaks_the_outbox_limits() {
    Outbox outbox = Outbox.builder().maxPayloadBytes(8).build();
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .outboxConfig(outbox.config())
            .clock(clock)
            .build()) {
      assertThatThrownBy(
              () ->
                  inTx(
                      db.dataSource(),
                      c -> delay.schedule(c, message("k", "nine bytes"), Duration.ZERO)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("maxPayloadBytes");
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
    }
  }

  @Test
  void drops_a_due_message_whose_id_is_already_in_the_outbox_instead_of_blocking_the_sweep() {
    Outbox outbox = Outbox.builder().clock(clock).build();
    try (DelayScheduler delay = delay()) {
      OutboxMessage sent = message("k", "sent directly");
      inTx(db.dataSource(), c -> outbox.send(c, sent));
      inTx(db.dataSource(), c -> delay.schedule(c, sent, Duration.ofSeconds(1)));
      OutboxMessage other = message("k2", "other");
      inTx(db.dataSource(), c -> delay.schedule(c, other, Duration.ofSeconds(2)));
      clock.advance(Duration.ofSeconds(2));

      SweepResult result = delay.runOnce();

      assertThat(result.moved()).isEqualTo(1);
      assertThat(result.duplicatesDropped()).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::payload)
          .containsExactly("sent directly", "other");
    }
  }

  @Test
  void notifies_relays_only_when_a_sweep_moved_something() throws Exception {
    try (DelayScheduler delay = delay();
        Connection listener = db.dataSource().getConnection()) {
      PGConnection pg = listener.unwrap(PGConnection.class);
      listener.createStatement().execute("LISTEN outpost_outbox");
      try {
        inTx(db.dataSource(), c -> delay.schedule(c, message("k", "p"), Duration.ofSeconds(5)));

        delay.runOnce();
        listener.createStatement().execute("SELECT 1");
        assertThat(pg.getNotifications()).isEmpty();

        clock.advance(Duration.ofSeconds(5));
        delay.runOnce();
        listener.createStatement().execute("SELECT 1");
        assertThat(pg.getNotifications()).extracting(n -> n.getParameter()).contains(db.schema());
      } finally {
        listener.createStatement().execute("UNLISTEN *");
      }
    }
  }
}
