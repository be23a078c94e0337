package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.WakeUps;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The delay scheduler's promises on every supported database (PostgreSQL and, in the {@code
 * mariadb} run, MariaDB with its multi-statement move and {@code GET_LOCK}): atomic with the
 * business transaction, exactly once into the outbox with concurrent sweepers, outbox ids in due
 * order, the clustered Quartz sweep. Outcomes are read from {@code outbox_message}.
 */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class GuaranteesTest {

  private static final String TOPIC = "order-timeout";

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  GuaranteesTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void businessTable() {
    db.execute(
        "CREATE TABLE IF NOT EXISTS delay_orders (id VARCHAR(64) PRIMARY KEY,"
            + " status VARCHAR(16) NOT NULL)");
    db.execute("DELETE FROM delay_orders");
  }

  private DelayScheduler delay(javax.sql.DataSource pool, int batchSize) {
    return DelayScheduler.builder().dataSource(pool).clock(clock).batchSize(batchSize).build();
  }

  private static OutboxMessage timeout(String orderId) {
    return OutboxMessage.to(TOPIC).key(orderId).payload(utf8(orderId)).build();
  }

  private static void placeOrder(Connection c, String orderId) throws Exception {
    try (PreparedStatement insert =
        c.prepareStatement("INSERT INTO delay_orders (id, status) VALUES (?, 'UNPAID')")) {
      insert.setString(1, orderId);
      insert.executeUpdate();
    }
  }

  private long pending() {
    return db.queryLong("SELECT count(*) FROM delayed_message");
  }

  @Test
  void a_rolled_back_schedule_is_never_delivered() {
    try (DelayScheduler delay = delay(db.dataSource(), 5_000)) {
      Db.inRolledBackTx(
          db.dataSource(),
          c -> {
            placeOrder(c, "o1");
            return delay.schedule(c, timeout("o1"), Duration.ofSeconds(1), "o1");
          });
      inTx(db.dataSource(), c -> delay.schedule(c, timeout("o2"), Duration.ofSeconds(1), "o2"));

      clock.advance(Duration.ofSeconds(2));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      assertThat(Db.outbox(db.dataSource())).extracting(Db.OutboxRow::key).containsExactly("o2");
      assertThat(pending()).isZero();
      assertThat(db.queryLong("SELECT count(*) FROM delay_orders")).isZero();
    }
  }

  @Test
  void a_sweep_that_moved_messages_nudges_polling_relays_in_this_jvm() {
    List<String> nudges = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (DelayScheduler delay = delay(db.dataSource(), 5_000);
        WakeUps.Subscription subscription =
            WakeUps.subscribe((schema, partition) -> nudges.add(schema + "/" + partition))) {
      assertThat(delay.runOnce().moved()).isZero();
      assertThat(nudges).as("nothing moved, nobody nudged").isEmpty();

      inTx(db.dataSource(), c -> delay.schedule(c, timeout("o1"), Duration.ofSeconds(1), "o1"));
      clock.advance(Duration.ofSeconds(2));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      assertThat(nudges).containsExactly("public/" + WakeUps.ANY_PARTITION);
    }
  }

  @Test
  void a_cancel_in_the_business_transaction_wins_and_a_rolled_back_cancel_does_not() {
    try (DelayScheduler delay = delay(db.dataSource(), 5_000)) {
      inTx(
          db.dataSource(),
          c -> {
            placeOrder(c, "paid");
            placeOrder(c, "kept");
            delay.schedule(c, timeout("paid"), Duration.ofMinutes(5), "paid");
            return delay.schedule(c, timeout("kept"), Duration.ofMinutes(5), "kept");
          });

      // Paying cancels the timeout in the payment's transaction (jOOQ), next to the business row.
      assertThat(
              Db.inTxBoolean(
                  db.dataSource(),
                  c -> {
                    boolean cancelled = delay.cancel(Db.dsl(c), TOPIC, "paid");
                    c.createStatement()
                        .executeUpdate("UPDATE delay_orders SET status = 'PAID' WHERE id = 'paid'");
                    return cancelled;
                  }))
          .isTrue();
      // A payment that rolls back leaves its timeout pending.
      boolean cancelledThenRolledBack =
          Db.inRolledBackTx(db.dataSource(), c -> delay.cancel(c, TOPIC, "kept"));
      assertThat(cancelledThenRolledBack).isTrue();

      clock.advance(Duration.ofMinutes(6));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      assertThat(Db.outbox(db.dataSource())).extracting(Db.OutboxRow::key).containsExactly("kept");
      assertThat(Db.inTxBoolean(db.dataSource(), c -> delay.cancel(c, TOPIC, "kept"))).isFalse();
    }
  }

  @Test
  void a_sweep_skips_a_row_held_by_an_uncommitted_cancel_which_then_wins() throws Exception {
    try (DelayScheduler delay = delay(db.dataSource(), 5_000)) {
      inTx(db.dataSource(), c -> delay.schedule(c, timeout("o1"), Duration.ofSeconds(1), "o1"));
      inTx(db.dataSource(), c -> delay.schedule(c, timeout("o2"), Duration.ofSeconds(2), "o2"));
      clock.advance(Duration.ofSeconds(3));

      try (Connection payment = db.dataSource().getConnection()) {
        payment.setAutoCommit(false);
        assertThat(delay.cancel(payment, TOPIC, "o1")).isTrue();
        // The sweep does not wait for the payment: it moves what is not held.
        SweepResult swept = CompletableFuture.supplyAsync(delay::runOnce).get(30, TimeUnit.SECONDS);
        assertThat(swept.moved()).isEqualTo(1);
        payment.commit();
        payment.setAutoCommit(true);
      }

      assertThat(delay.runOnce().moved()).isZero();
      assertThat(Db.outbox(db.dataSource())).extracting(Db.OutboxRow::key).containsExactly("o2");
    }
  }

  @Test
  void schedule_reschedule_and_the_duplicate_policies_work_through_jdbc_and_jooq() {
    try (DelayScheduler replace = delay(db.dataSource(), 5_000);
        DelayScheduler keep =
            DelayScheduler.builder()
                .dataSource(db.dataSource())
                .clock(clock)
                .duplicateCancelKey(DuplicateCancelKey.KEEP_EXISTING)
                .build()) {
      Instant now = clock.instant();
      ScheduledMessage first =
          inTx(
              db.dataSource(),
              c -> replace.scheduleAt(Db.dsl(c), timeout("a"), now.plusSeconds(60), "a"));
      ScheduledMessage second =
          inTx(db.dataSource(), c -> replace.scheduleAt(c, timeout("a"), now.plusSeconds(30), "a"));
      ScheduledMessage kept =
          inTx(db.dataSource(), c -> keep.scheduleAt(c, timeout("a"), now.plusSeconds(10), "a"));

      assertThat(first.outcome()).isEqualTo(ScheduledMessage.Outcome.SCHEDULED);
      assertThat(second.outcome()).isEqualTo(ScheduledMessage.Outcome.REPLACED);
      assertThat(kept.outcome()).isEqualTo(ScheduledMessage.Outcome.KEPT_EXISTING);
      assertThat(kept.messageId()).isEqualTo(second.messageId());
      assertThat(kept.deliverAt()).isEqualTo(now.plusSeconds(30));
      assertThat(replace.pending().count()).isEqualTo(1);

      assertThat(
              Db.inTxBoolean(
                  db.dataSource(),
                  c -> replace.reschedule(Db.dsl(c), TOPIC, "a", now.plusSeconds(5))))
          .isTrue();
      clock.advance(Duration.ofSeconds(5));
      assertThat(replace.runOnce().moved()).isEqualTo(1);
      List<Db.OutboxRow> outbox = Db.outbox(db.dataSource());
      assertThat(outbox).extracting(Db.OutboxRow::messageId).containsExactly(second.messageId());
      assertThat(outbox.get(0).availableAt()).isEqualTo(now.plusSeconds(5));
    }
  }

  @Test
  void a_message_id_pending_under_another_key_is_refused() {
    UUID id = UUID.randomUUID();
    try (DelayScheduler delay = delay(db.dataSource(), 5_000)) {
      OutboxMessage message = OutboxMessage.to(TOPIC).messageId(id).payload(utf8("x")).build();
      inTx(db.dataSource(), c -> delay.schedule(c, message, Duration.ofMinutes(1), "k1"));

      assertThatThrownBy(
              () ->
                  inTx(
                      db.dataSource(),
                      c -> delay.schedule(c, message, Duration.ofMinutes(1), "k2")))
          .isInstanceOf(OutpostException.class)
          .hasMessageContaining(id.toString());
      assertThat(pending()).isEqualTo(1);
    }
  }

  @Test
  void a_cancel_key_longer_than_the_column_is_refused_before_writing_on_mysql() {
    String longKey = "k".repeat(300); // within the outbox's maxKeyLength (1024)
    try (DelayScheduler delay = delay(db.dataSource(), 5_000)) {
      if (db.isPostgres()) {
        inTx(db.dataSource(), c -> delay.schedule(c, timeout("o1"), Duration.ZERO, longKey));
        assertThat(pending()).isEqualTo(1);
      } else {
        assertThatThrownBy(
                () ->
                    inTx(
                        db.dataSource(),
                        c -> delay.schedule(c, timeout("o1"), Duration.ZERO, longKey)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("cancelKey is 300 characters; allowed 1..255");
        assertThat(pending()).isZero();
      }
    }
  }

  @Test
  void a_due_message_whose_id_is_already_in_the_outbox_is_dropped_and_later_ones_still_move() {
    try (DelayScheduler delay = delay(db.dataSource(), 5_000)) {
      ScheduledMessage sent =
          inTx(db.dataSource(), c -> delay.schedule(c, timeout("dup"), Duration.ZERO, "dup"));
      assertThat(delay.runOnce().moved()).isEqualTo(1);
      OutboxMessage again =
          OutboxMessage.to(TOPIC).messageId(sent.messageId()).payload(utf8("dup")).build();
      inTx(db.dataSource(), c -> delay.schedule(c, again, Duration.ZERO, "dup"));
      inTx(db.dataSource(), c -> delay.schedule(c, timeout("later"), Duration.ofSeconds(1)));

      clock.advance(Duration.ofSeconds(1));
      SweepResult result = delay.runOnce();

      assertThat(result.duplicatesDropped()).isEqualTo(1);
      assertThat(result.moved()).isEqualTo(1);
      assertThat(Db.outbox(db.dataSource()))
          .extracting(Db.OutboxRow::key)
          .containsExactly("dup", "later");
      assertThat(pending()).isZero();
    }
  }

  @Test
  void two_schedulers_sweeping_at_once_move_each_message_exactly_once_in_due_order()
      throws Exception {
    int messages = 3_000;
    // Distinct due times in a shuffled scheduling order, so id order alone would not be due order.
    List<Integer> offsets = new ArrayList<>();
    for (int i = 0; i < messages; i++) {
      offsets.add(i);
    }
    Collections.shuffle(offsets, new Random(42));
    Instant base = clock.instant().plusSeconds(10);
    Set<UUID> scheduled = new HashSet<>();
    try (HikariDataSource poolA = db.newDataSource(4, "sweeper-a");
        HikariDataSource poolB = db.newDataSource(4, "sweeper-b");
        DelayScheduler a = delay(poolA, 50);
        DelayScheduler b = delay(poolB, 50)) {
      for (int from = 0; from < messages; from += 500) {
        List<Integer> chunk = offsets.subList(from, from + 500);
        inTx(
            db.dataSource(),
            c -> {
              for (int offset : chunk) {
                scheduled.add(
                    a.scheduleAt(c, timeout("o" + offset), base.plusMillis(offset)).messageId());
              }
              return null;
            });
      }
      clock.advance(Duration.ofSeconds(20));

      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        CyclicBarrier start = new CyclicBarrier(4);
        List<Future<Long>> sweeps = new ArrayList<>();
        for (DelayScheduler node : List.of(a, b, a, b)) {
          sweeps.add(
              pool.submit(
                  () -> {
                    start.await();
                    long moved = 0;
                    for (int i = 0; i < 3; i++) {
                      moved += node.runOnce().moved();
                    }
                    return moved;
                  }));
        }
        long moved = 0;
        for (Future<Long> sweep : sweeps) {
          moved += sweep.get(60, TimeUnit.SECONDS);
        }
        assertThat(moved).isEqualTo(messages);
      } finally {
        pool.shutdownNow();
      }
    }

    List<Db.OutboxRow> outbox = Db.outbox(db.dataSource());
    assertThat(outbox).hasSize(messages);
    assertThat(outbox).extracting(Db.OutboxRow::messageId).doesNotHaveDuplicates();
    assertThat(new HashSet<>(outbox.stream().map(Db.OutboxRow::messageId).toList()))
        .isEqualTo(scheduled);
    // Outbox ids (the relay's order) follow due order across both sweepers' batches.
    assertThat(outbox).extracting(Db.OutboxRow::availableAt).isSorted();
    assertThat(pending()).isZero();
  }

  @Test
  void a_started_quartz_cluster_delivers_a_due_message_once() {
    QuartzTables.clear(db);
    try (HikariDataSource poolA = db.newDataSource(4, "node-a");
        HikariDataSource poolB = db.newDataSource(4, "node-b");
        DelayScheduler a = node(poolA);
        DelayScheduler b = node(poolB)) {
      a.start();
      b.start();
      inTx(db.dataSource(), c -> a.schedule(c, timeout("o1"), Duration.ofSeconds(1), "o1"));
      clock.advance(Duration.ofSeconds(1));

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> db.queryLong("SELECT count(*) FROM outbox_message") == 1);
      assertThat(pending()).isZero();
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM "
                      + db.quote(
                          db.isPostgres() ? "qrtz_scheduler_state" : "QRTZ_SCHEDULER_STATE")))
          .isEqualTo(2);
    }
  }

  private DelayScheduler node(javax.sql.DataSource pool) {
    return DelayScheduler.builder()
        .dataSource(pool)
        .dialect(db.dialect()) // given instead of detected
        .clock(clock)
        .sweepInterval(Duration.ofMillis(50))
        .quartzSchedulerName("outpost-guarantees-test")
        .build();
  }
}
