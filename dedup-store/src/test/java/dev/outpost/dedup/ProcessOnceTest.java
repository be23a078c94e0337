package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class ProcessOnceTest {

  private static final String CONSUMER = "inventory";

  private final TestDatabase db;
  private final DSLContext dsl;
  private final Dedup dedup;

  ProcessOnceTest(TestDatabase db) {
    this.db = db;
    this.dsl = DSL.using(db.dataSource(), db.isPostgres() ? SQLDialect.POSTGRES : SQLDialect.MYSQL);
    this.dedup = Dedup.builder().schema(db.schema()).build();
  }

  @BeforeEach
  void createBusinessTable() {
    EffectTable.create(db);
  }

  @Test
  void runs_the_work_once_when_the_same_message_arrives_five_times_over_jdbc() throws Exception {
    UUID messageId = UUID.randomUUID();
    List<Boolean> ran = new ArrayList<>();
    for (int delivery = 0; delivery < 5; delivery++) {
      ran.add(deliverOverJdbc(messageId, CONSUMER));
    }

    assertThat(ran).containsExactly(true, false, false, false, false);
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    assertThat(EffectTable.keys(db)).isEqualTo(1);
    assertThat(dedup.counts(CONSUMER)).isEqualTo(new DedupCounts(1, 4));
  }

  @Test
  void runs_the_work_once_when_the_same_message_arrives_five_times_over_jooq() {
    UUID messageId = UUID.randomUUID();
    List<Boolean> ran = new ArrayList<>();
    for (int delivery = 0; delivery < 5; delivery++) {
      boolean viaConfiguration = delivery % 2 == 0;
      ran.add(
          dsl.transactionResult(
              tx ->
                  viaConfiguration
                      ? dedup.processOnce(tx, CONSUMER, messageId, effect(tx.dsl(), messageId))
                      : dedup.processOnce(
                          tx.dsl(), CONSUMER, messageId, effect(tx.dsl(), messageId))));
    }

    assertThat(ran).containsExactly(true, false, false, false, false);
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
  }

  @Test
  void runs_the_work_once_when_eight_threads_deliver_the_same_message_five_times_each()
      throws Exception {
    UUID messageId = UUID.randomUUID();
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicInteger ran = new AtomicInteger();
    List<Callable<Void>> deliveries = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      deliveries.add(
          () -> {
            start.await(30, TimeUnit.SECONDS);
            for (int delivery = 0; delivery < 5; delivery++) {
              if (deliverOverJdbc(messageId, CONSUMER)) {
                ran.incrementAndGet();
              }
            }
            return null;
          });
    }

    runAll(deliveries);

    assertThat(ran).hasValue(1);
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    assertThat(dedup.counts(CONSUMER)).isEqualTo(new DedupCounts(1, 39));
  }

  @Test
  @PostgresOnly // watches lock waits in pg_stat_activity
  void makes_concurrent_duplicates_wait_for_the_first_delivery_and_then_skip() throws Exception {
    UUID messageId = UUID.randomUUID();
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Callable<Boolean>> deliveries = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      deliveries.add(
          () -> {
            start.await(30, TimeUnit.SECONDS);
            try (Connection tx = db.dataSource().getConnection()) {
              tx.setAutoCommit(false);
              boolean ran =
                  dedup.processOnce(
                      tx,
                      CONSUMER,
                      messageId,
                      () -> {
                        // Hold the first transaction open until the seven others block on its key.
                        Awaitility.await()
                            .atMost(Duration.ofSeconds(30))
                            .until(() -> sessionsWaitingOnDedupKey() == threads - 1);
                        EffectTable.insert(tx, CONSUMER, messageId, "first");
                      });
              tx.commit();
              return ran;
            }
          });
    }

    List<Boolean> results = runAll(deliveries);

    assertThat(results).containsOnlyOnce(true);
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
  }

  @Test
  void runs_each_of_many_messages_once_when_eight_threads_race_on_all_of_them() throws Exception {
    List<UUID> messages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      messages.add(UUID.randomUUID());
    }
    int threads = 8;
    CyclicBarrier start = new CyclicBarrier(threads);
    List<Callable<Void>> deliveries = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      deliveries.add(
          () -> {
            start.await(30, TimeUnit.SECONDS);
            for (UUID messageId : messages) {
              deliverOverJdbc(messageId, CONSUMER);
            }
            return null;
          });
    }

    runAll(deliveries);

    assertThat(EffectTable.count(db)).isEqualTo(100);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM (SELECT message_id FROM "
                    + EffectTable.NAME
                    + " GROUP BY message_id HAVING count(*) > 1) twice"))
        .isZero();
    assertThat(dedup.counts(CONSUMER)).isEqualTo(new DedupCounts(100, 700));
  }

  @Test
  void lets_two_consumers_each_process_the_same_message_once() throws Exception {
    UUID messageId = UUID.randomUUID();

    assertThat(deliverOverJdbc(messageId, "inventory")).isTrue();
    assertThat(deliverOverJdbc(messageId, "billing")).isTrue();
    assertThat(deliverOverJdbc(messageId, "inventory")).isFalse();
    assertThat(deliverOverJdbc(messageId, "billing")).isFalse();

    assertThat(EffectTable.count(db, messageId)).isEqualTo(2);
    assertThat(dedup.counts())
        .containsOnlyKeys("inventory", "billing")
        .containsEntry("billing", new DedupCounts(1, 1));
  }

  @Test
  void rolls_back_the_key_with_work_that_throws_so_a_redelivery_runs_it_again() throws Exception {
    UUID messageId = UUID.randomUUID();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      assertThatThrownBy(
              () ->
                  dedup.processOnce(
                      tx,
                      CONSUMER,
                      messageId,
                      () -> {
                        EffectTable.insert(tx, CONSUMER, messageId, "half done");
                        throw new IllegalStateException("stock service down");
                      }))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("stock service down");
      tx.rollback();
    }
    assertThat(EffectTable.keys(db)).isZero();

    assertThat(deliverOverJdbc(messageId, CONSUMER)).isTrue();

    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
    assertThat(dedup.counts(CONSUMER)).isEqualTo(new DedupCounts(1, 0));
  }

  @Test
  void wraps_an_sql_exception_of_the_work_and_lets_a_redelivery_run_it_again() throws Exception {
    UUID messageId = UUID.randomUUID();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      assertThatThrownBy(
              () ->
                  dedup.processOnce(
                      tx,
                      CONSUMER,
                      messageId,
                      () -> {
                        try (Statement statement = tx.createStatement()) {
                          statement.execute("SELECT * FROM no_such_business_table");
                        }
                      }))
          .isInstanceOf(DedupException.class)
          .hasCauseInstanceOf(SQLException.class)
          .hasMessageContaining(messageId.toString())
          .hasMessageContaining("no_such_business_table")
          .satisfies(e -> assertThat(((DedupException) e).consumer()).isEqualTo(CONSUMER));
      tx.rollback();
    }

    assertThat(deliverOverJdbc(messageId, CONSUMER)).isTrue();
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
  }

  @Test
  void rolls_back_the_key_when_a_jooq_transaction_fails_so_a_redelivery_runs_the_work() {
    UUID messageId = UUID.randomUUID();
    assertThatThrownBy(
            () ->
                dsl.transaction(
                    tx -> {
                      dedup.processOnce(tx, CONSUMER, messageId, effect(tx.dsl(), messageId));
                      throw new IllegalStateException("payment declined");
                    }))
        .hasMessageContaining("payment declined");
    assertThat(EffectTable.count(db, messageId)).isZero();

    boolean ran =
        dsl.transactionResult(
            tx -> dedup.processOnce(tx, CONSUMER, messageId, effect(tx.dsl(), messageId)));

    assertThat(ran).isTrue();
    assertThat(EffectTable.count(db, messageId)).isEqualTo(1);
  }

  @Test
  void leaves_the_transaction_usable_after_a_duplicate() throws Exception {
    UUID messageId = UUID.randomUUID();
    deliverOverJdbc(messageId, CONSUMER);
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      assertThat(dedup.processOnce(tx, CONSUMER, messageId, () -> {})).isFalse();
      EffectTable.insert(tx, CONSUMER, UUID.randomUUID(), "after the duplicate");
      tx.commit();
    }

    assertThat(EffectTable.count(db)).isEqualTo(2);
  }

  @Test
  void refuses_an_auto_commit_connection_and_records_nothing() throws Exception {
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(true);
      assertThatThrownBy(() -> dedup.processOnce(tx, CONSUMER, UUID.randomUUID(), () -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("auto-commit")
          .hasMessageContaining("setAutoCommit(false)");
    }
    assertThatThrownBy(() -> dedup.processOnce(dsl, CONSUMER, UUID.randomUUID(), () -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("auto-commit");

    assertThat(EffectTable.keys(db)).isZero();
  }

  @Test
  void stamps_the_key_with_the_injected_clock() throws Exception {
    MutableClock clock = new MutableClock(Instant.parse("2030-01-02T03:04:05.123456Z"));
    Dedup clocked = Dedup.builder().schema(db.schema()).clock(clock).build();
    UUID messageId = UUID.randomUUID();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      clocked.processOnce(tx, CONSUMER, messageId, () -> {});
      tx.commit();
    }

    OffsetDateTime stored;
    try (Connection connection = db.dataSource().getConnection();
        var statement = connection.createStatement();
        var rs = statement.executeQuery("SELECT processed_at FROM " + db.qualified("dedup_key"))) {
      rs.next();
      stored = dev.outpost.common.internal.JdbcValues.getTime(rs, 1, db.dialect());
    }
    assertThat(stored.toInstant()).isEqualTo(clock.instant());
    assertThat(stored.getOffset()).isEqualTo(ZoneOffset.UTC);
  }

  @Test
  @PostgresOnly // asserts PostgreSQL's wording of a missing table
  void a_missing_dedup_table_names_the_schema_and_the_migrations() throws Exception {
    Dedup unmigrated = Dedup.builder().schema("dedup_never_migrated").build();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      assertThatThrownBy(() -> unmigrated.processOnce(tx, CONSUMER, UUID.randomUUID(), () -> {}))
          .isInstanceOf(DedupException.class)
          .hasMessageContaining("dedup_never_migrated.dedup_key does not exist")
          .hasMessageContaining("OutpostMigrations")
          .hasMessageContaining("schema(\"dedup_never_migrated\")");
      tx.rollback();
    }
  }

  @Test
  @PostgresOnly // creates another schema; on the shared MariaDB server that is a shared database
  void writes_keys_into_the_configured_schema() throws Exception {
    db.migrateSchema("dedup_other");
    db.execute("TRUNCATE dedup_other.dedup_key");
    Dedup other = Dedup.builder().schema("dedup_other").build();
    UUID messageId = UUID.randomUUID();
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      assertThat(other.processOnce(tx, CONSUMER, messageId, () -> {})).isTrue();
      tx.commit();
    }

    assertThat(db.queryLong("SELECT count(*) FROM dedup_other.dedup_key")).isEqualTo(1);
    assertThat(EffectTable.keys(db)).isZero();
    assertThat(other.schema()).isEqualTo("dedup_other");
  }

  @Test
  void publishes_processed_and_duplicate_counters_per_consumer_to_micrometer() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    Dedup metered = Dedup.builder().schema(db.schema()).meterRegistry(registry).build();
    UUID messageId = UUID.randomUUID();
    for (int delivery = 0; delivery < 3; delivery++) {
      try (Connection tx = db.dataSource().getConnection()) {
        tx.setAutoCommit(false);
        metered.processOnce(tx, CONSUMER, messageId, () -> {});
        tx.commit();
      }
    }

    assertThat(registry.get("outpost.dedup.processed").tag("consumer", CONSUMER).counter().count())
        .isEqualTo(1.0);
    assertThat(registry.get("outpost.dedup.duplicates").tag("consumer", CONSUMER).counter().count())
        .isEqualTo(2.0);
    assertThat(metered.counts(CONSUMER)).isEqualTo(new DedupCounts(1, 2));
  }

  private boolean deliverOverJdbc(UUID messageId, String consumer) throws SQLException {
    try (Connection tx = db.dataSource().getConnection()) {
      tx.setAutoCommit(false);
      try {
        boolean ran =
            dedup.processOnce(
                tx,
                consumer,
                messageId,
                () -> EffectTable.insert(tx, consumer, messageId, "delivery"));
        tx.commit();
        return ran;
      } catch (RuntimeException | SQLException e) {
        tx.rollback();
        throw e;
      }
    }
  }

  private static Runnable effect(DSLContext tx, UUID messageId) {
    return () ->
        tx.execute(
            "INSERT INTO " + EffectTable.NAME + " (consumer, message_id) VALUES (?, ?)",
            CONSUMER,
            messageId.toString());
  }

  private long sessionsWaitingOnDedupKey() {
    return db.queryLong(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND query LIKE '%dedup_key%'");
  }

  private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
    try {
      List<T> results = new ArrayList<>();
      for (Future<T> future : pool.invokeAll(tasks, 60, TimeUnit.SECONDS)) {
        results.add(future.get());
      }
      return results;
    } finally {
      pool.shutdownNow();
    }
  }
}
