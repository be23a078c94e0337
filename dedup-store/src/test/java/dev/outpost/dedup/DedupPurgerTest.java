package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.internal.JdbcValues;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class DedupPurgerTest {

  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final Duration WINDOW = Duration.ofDays(7);

  private final TestDatabase db;
  private final MutableClock clock = new MutableClock(NOW);

  DedupPurgerTest(TestDatabase db) {
    this.db = db;
  }

  @Test
  void purges_only_keys_older_than_the_window() {
    insertKeys("old-a", 3, NOW.minus(WINDOW).minusSeconds(3600));
    insertKeys("old-b", 2, NOW.minus(WINDOW).minusMillis(1));
    insertKeys("at-cutoff", 1, NOW.minus(WINDOW));
    insertKeys("young", 4, NOW.minus(Duration.ofDays(1)));

    PurgeResult result = purger(100).runOnce();

    assertThat(result.deleted()).isEqualTo(5);
    assertThat(result.cutoff()).isEqualTo(NOW.minus(WINDOW));
    assertThat(result.batches()).isEqualTo(1);
    assertThat(consumersLeft()).containsExactly("at-cutoff", "young");
    assertThat(keys()).isEqualTo(5);
  }

  @Test
  void counts_purged_keys_in_the_meter_registry() {
    insertKeys("metered", 7, NOW.minus(WINDOW).minusSeconds(60));
    io.micrometer.core.instrument.simple.SimpleMeterRegistry registry =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    DedupPurger purger =
        DedupPurger.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .clock(clock)
            .retention(WINDOW)
            .batchSize(3)
            .meterRegistry(registry)
            .build();

    assertThat(purger.runOnce().deleted()).isEqualTo(7);
    assertThat(registry.get("outpost.dedup.purged").counter().count()).isEqualTo(7.0);
    assertThat(registry.get("outpost.dedup.purge.failures").counter().count()).isZero();
  }

  @Test
  void reads_the_cutoff_from_the_clock_on_each_run() {
    insertKeys("c", 10, NOW.minus(Duration.ofDays(3)));
    DedupPurger purger = purger(100);

    assertThat(purger.runOnce().deleted()).isZero();
    clock.advance(Duration.ofDays(5));
    assertThat(purger.runOnce().deleted()).isEqualTo(10);
    assertThat(purger.purgeOlderThan(Duration.ofSeconds(1)).deleted()).isZero();
  }

  @Test
  @PostgresOnly // heavy (a million rows); the batch bound itself runs on every database above
  void purges_a_million_key_table_in_bounded_batches_that_each_commit_and_release_their_locks()
      throws Exception {
    int old = 305_000;
    int young = 695_000;
    db.execute(
        "INSERT INTO "
            + table()
            + " (consumer, message_id, processed_at)"
            + " SELECT CASE WHEN i <= "
            + old
            + " THEN 'old' ELSE 'young' END, gen_random_uuid(),"
            + " CASE WHEN i <= "
            + old
            + " THEN timestamptz '"
            + NOW.minus(WINDOW)
            + "' - i * interval '1 millisecond'"
            + " ELSE timestamptz '"
            + NOW
            + "' - (i - "
            + old
            + ") * interval '1 millisecond' END"
            + " FROM generate_series(1, "
            + (old + young)
            + ") AS i");
    db.execute("ANALYZE " + table());
    List<Long> oldLeftAfterEachBatch = new CopyOnWriteArrayList<>();
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    DedupPurger purger =
        DedupPurger.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .clock(clock)
            .retention(WINDOW)
            .batchListener(
                deleted -> {
                  batchSizes.add(deleted);
                  oldLeftAfterEachBatch.add(oldKeysLeftLockingSomeWithoutWaiting());
                })
            .build();

    PurgeResult result = purger.runOnce();

    assertThat(result.deleted()).isEqualTo(old);
    assertThat(result.batches()).isEqualTo(31);
    assertThat(result.largestBatch()).isEqualTo(DedupPurger.DEFAULT_BATCH_SIZE);
    assertThat(batchSizes).hasSize(31).allMatch(size -> size <= DedupPurger.DEFAULT_BATCH_SIZE);
    assertThat(batchSizes.get(30)).isEqualTo(5_000);
    // Every batch was visible to another session right after it: committed, locks released.
    for (int batch = 0; batch < 31; batch++) {
      assertThat(oldLeftAfterEachBatch.get(batch))
          .isEqualTo(Math.max(0, old - (batch + 1) * 10_000L));
    }
    assertThat(keys()).isEqualTo(young);
    assertThat(db.queryLong("SELECT count(*) FROM " + table() + " WHERE consumer = 'old'"))
        .isZero();
  }

  @Test
  void purges_in_the_background_at_start_and_on_wake_up() {
    insertKeys("first", 3, NOW.minus(WINDOW).minusSeconds(1));
    try (DedupPurger purger =
        DedupPurger.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .clock(clock)
            .interval(Duration.ofHours(1))
            .build()) {
      purger.start();
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> keys() == 0);
      assertThat(purgerThreads()).isEqualTo(1);

      insertKeys("second", 2, NOW.minus(WINDOW).minusSeconds(1));
      purger.wakeUp();
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> keys() == 0);
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> purgerThreads() == 0);
  }

  @Test
  void survives_repeated_and_concurrent_start_and_close_and_close_without_start() throws Exception {
    DedupPurger neverStarted = purger(10);
    neverStarted.close();
    neverStarted.close();
    assertThatThrownBy(neverStarted::start)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");

    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      for (int round = 0; round < 10; round++) {
        DedupPurger purger = purger(10);
        CyclicBarrier barrier = new CyclicBarrier(4);
        List<Future<?>> calls = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          boolean starter = t % 2 == 0;
          calls.add(
              pool.submit(
                  () -> {
                    barrier.await(10, TimeUnit.SECONDS);
                    if (starter) {
                      try {
                        purger.start();
                      } catch (IllegalStateException closedAlready) {
                        // A close won the race: allowed.
                      }
                    } else {
                      purger.close();
                    }
                    return null;
                  }));
        }
        for (Future<?> call : calls) {
          call.get(30, TimeUnit.SECONDS);
        }
        purger.close();
      }
    } finally {
      pool.shutdownNow();
    }
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> purgerThreads() == 0);
  }

  @Test
  void reports_a_missing_table_naming_the_schema() {
    DedupPurger purger =
        DedupPurger.builder().dataSource(db.dataSource()).schema("no_such_schema").build();

    assertThatThrownBy(purger::runOnce)
        .isInstanceOf(DedupException.class)
        .hasMessageContaining("no_such_schema.dedup_key")
        .hasMessageContaining("migrated");
  }

  private DedupPurger purger(int batchSize) {
    return DedupPurger.builder()
        .dataSource(db.dataSource())
        .schema(db.schema())
        .clock(clock)
        .retention(WINDOW)
        .batchSize(batchSize)
        .build();
  }

  private long oldKeysLeftLockingSomeWithoutWaiting() {
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      connection.setAutoCommit(false);
      String old = " WHERE processed_at < timestamptz '" + NOW.minus(WINDOW) + "'";
      // NOWAIT fails at once if the purger still held row locks on the remaining old keys.
      statement.execute(
          "SELECT 1 FROM " + table() + old + " ORDER BY processed_at LIMIT 100 FOR UPDATE NOWAIT");
      long left;
      try (ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table() + old)) {
        rs.next();
        left = rs.getLong(1);
      }
      connection.rollback();
      connection.setAutoCommit(true);
      return left;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private void insertKeys(String consumer, int count, Instant processedAt) {
    try (Connection connection = db.dataSource().getConnection();
        var insert =
            connection.prepareStatement(
                "INSERT INTO "
                    + table()
                    + " (consumer, message_id, processed_at) VALUES (?, ?, ?)")) {
      for (int i = 0; i < count; i++) {
        insert.setString(1, consumer);
        JdbcValues.setUuid(insert, 2, db.dialect(), java.util.UUID.randomUUID());
        JdbcValues.setTime(insert, 3, db.dialect(), processedAt);
        insert.addBatch();
      }
      insert.executeBatch();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<String> consumersLeft() {
    List<String> consumers = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT DISTINCT consumer FROM " + table() + " ORDER BY consumer")) {
      while (rs.next()) {
        consumers.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return consumers;
  }

  private long keys() {
    return db.queryLong("SELECT count(*) FROM " + table());
  }

  private String table() {
    return db.schema() + ".dedup_key";
  }

  private static long purgerThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().equals("outpost-dedup-purger") && thread.isAlive())
        .count();
  }
}
