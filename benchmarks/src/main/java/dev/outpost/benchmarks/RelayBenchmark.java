package dev.outpost.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.InProcessPublisher;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import javax.sql.DataSource;

/**
 * Relay benchmark (not a test). Measures, in one run on one database:
 *
 * <ol>
 *   <li>the relay draining a backlog of N rows (default 1,000,000) with a no-op publisher;
 *   <li>the same rows drained by raw SQL with the same parallelism, two ways: per partition, select
 *       the head window ordered by id (limit 500) then delete those ids; and one {@code DELETE ...
 *       WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 500) RETURNING} per batch. The ratio
 *       is taken against the faster of the two;
 *   <li>commit-to-publish latency at about 1,000 messages/s (one message per transaction) through
 *       LISTEN/NOTIFY and the in-process publisher.
 * </ol>
 *
 * <p>Arguments: {@code [backlogRows] [latencyMessages] [threads] [relay-first|raw-first]
 * [--database postgresql|mariadb]}; defaults 1000000, 10000, 4, relay-first, postgresql.
 * PostgreSQL: {@code OUTPOST_BENCH_JDBC_URL} (+ {@code OUTPOST_BENCH_JDBC_USER}, {@code
 * OUTPOST_BENCH_JDBC_PASSWORD}) or an embedded PostgreSQL tuned like the test fixture. MariaDB: see
 * {@link BenchDatabase#openMariaDb()}; the raw baseline is the head-window SELECT plus a DELETE by
 * an expanded id list, and latency is measured twice, with the writer in the relay's JVM (nudge)
 * and with plain INSERTs (polling only), against the commit itself as the floor.
 */
public final class RelayBenchmark {

  private static final int PARTITIONS = 16;
  private static final int BATCH_SIZE = 500;
  private static final int KEYS = 10_000;

  private RelayBenchmark() {}

  public static void main(String[] args) throws Exception {
    BenchDatabase.quietLogs();
    String[] positional = BenchDatabase.withoutDatabaseArgs(args);
    int rows = positional.length > 0 ? Integer.parseInt(positional[0]) : 1_000_000;
    int latencyMessages = positional.length > 1 ? Integer.parseInt(positional[1]) : 10_000;
    int threads = positional.length > 2 ? Integer.parseInt(positional[2]) : 4;
    boolean rawFirst = positional.length > 3 && positional[3].equals("raw-first");
    try (BenchDatabase database =
            BenchDatabase.fromArgs(
                args,
                Map.of(
                    "max_connections", "100",
                    "fsync", "off",
                    "synchronous_commit", "off",
                    "full_page_writes", "off",
                    "shared_buffers", "256MB",
                    // SSD-typical planner cost. With the default 4, PostgreSQL plans the raw
                    // baseline's SELECT as a primary-key walk filtered by partition, which visits
                    // ~16x the rows while draining and makes the baseline look slower than the
                    // relay (whose claim uses the partition index either way).
                    "random_page_cost", "1.1"));
        HikariDataSource pool = database.pool("bench", threads + 8)) {
      mariaDb = database.mariaDb();
      OutpostMigrations.builder().dataSource(pool).schema(database.schema()).build().migrate();
      System.out.printf(
          "RelayBenchmark: %,d rows, %d partitions, batch %d, %d threads, %d cores, %s (%s)%n",
          rows,
          PARTITIONS,
          BATCH_SIZE,
          threads,
          Runtime.getRuntime().availableProcessors(),
          serverVersion(pool),
          database.description());

      // Warm-up, not reported: JIT and caches, so no method pays them inside its measurement.
      int warmRows = Math.min(rows, 100_000);
      fill(pool, warmRows);
      drainWithRelay(pool, warmRows, threads);
      fill(pool, warmRows);
      drainWithRawSql(pool, threads, false);
      if (!mariaDb) {
        fill(pool, warmRows);
        drainWithRawSql(pool, threads, true);
      }

      double relayRate = 0;
      double rawRate = 0;
      List<String> phases =
          rawFirst
              ? List.of("raw-select-delete", "raw-delete-returning", "relay")
              : List.of("relay", "raw-select-delete", "raw-delete-returning");
      for (String phase : phases) {
        if (mariaDb && phase.equals("raw-delete-returning")) {
          continue; // MySQL has no DELETE ... RETURNING with a locking subquery on the same table
        }
        fill(pool, rows);
        if (phase.equals("relay")) {
          relayRate = rows / seconds(drainWithRelay(pool, rows, threads));
          System.out.printf("relay drain (no-op publisher): %,.0f msgs/s%n", relayRate);
        } else {
          boolean returning = phase.equals("raw-delete-returning");
          double rate = rows / seconds(drainWithRawSql(pool, threads, returning));
          System.out.printf(
              "raw SQL drain (%s): %,.0f msgs/s%n",
              returning
                  ? "DELETE ... WHERE id IN (SELECT ... FOR UPDATE SKIP LOCKED LIMIT 500)"
                      + " RETURNING"
                  : mariaDb
                      ? "SELECT head window LIMIT 500, then DELETE ... WHERE id IN (?, ...)"
                      : "SELECT head window LIMIT 500, then DELETE by ids",
              rate);
          rawRate = Math.max(rawRate, rate);
        }
      }
      System.out.printf(
          "ratio relay/best raw: %.2f (targets: %s)%n",
          relayRate / rawRate,
          mariaDb ? ">= 20,000 msgs/s and >= 0.8" : ">= 50,000 msgs/s and >= 0.5");

      if (mariaDb) {
        mariaDbLatency(pool, latencyMessages, threads, true);
        mariaDbLatency(pool, latencyMessages, threads, false);
      } else {
        latency(pool, latencyMessages, threads);
      }
    }
  }

  /** Whether the run is on MariaDB/MySQL (set once in main). */
  private static boolean mariaDb;

  /** One INSERT ... SELECT generate_series; a key stays in one partition, like the writer's. */
  private static void fill(DataSource dataSource, int rows) throws SQLException {
    long started = System.nanoTime();
    truncate(dataSource);
    if (mariaDb) {
      // MariaDB's sequence engine (seq_1_to_N) stands in for generate_series.
      execute(
          dataSource,
          "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
              + " headers, created_at, available_at)"
              + " SELECT UNHEX(REPLACE(UUID(), '-', '')), 'bench', CONCAT('k', seq % "
              + KEYS
              + "), (seq % "
              + KEYS
              + ") % "
              + PARTITIONS
              + ", REPEAT('x', 100),"
              + " '{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}',"
              + " UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_"
              + rows);
      execute(dataSource, "ANALYZE TABLE outbox_message");
    } else {
      execute(
          dataSource,
          "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
              + " headers, created_at, available_at)"
              + " SELECT gen_random_uuid(), 'bench', 'k' || (i % "
              + KEYS
              + "), (i % "
              + KEYS
              + ") % "
              + PARTITIONS
              + ", convert_to(repeat('x', 100), 'UTF8'),"
              + " '{\"traceparent\":\"00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\"}',"
              + " now(), now() FROM generate_series(1, "
              + rows
              + ") AS i");
      execute(dataSource, "VACUUM ANALYZE outbox_message");
    }
    System.out.printf("filled %,d rows in %.1f s%n", rows, seconds(System.nanoTime() - started));
  }

  private static void truncate(DataSource dataSource) throws SQLException {
    if (mariaDb) {
      for (String table : List.of("outbox_message", "relay_lease", "relay_instance")) {
        execute(dataSource, "TRUNCATE TABLE " + table);
      }
    } else {
      execute(dataSource, "TRUNCATE outbox_message, relay_lease, relay_instance");
    }
  }

  private static long drainWithRelay(DataSource dataSource, int rows, int threads)
      throws Exception {
    AtomicLong confirmed = new AtomicLong();
    Publisher noOp =
        batch -> {
          confirmed.addAndGet(batch.size());
          List<PublishResult> results = new ArrayList<>(batch.size());
          for (int i = 0; i < batch.size(); i++) {
            results.add(PublishResult.confirmed());
          }
          return CompletableFuture.completedFuture(results);
        };
    long started = System.nanoTime();
    try (Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .publisher(noOp)
            .partitions(PARTITIONS)
            .batchSize(BATCH_SIZE)
            .threads(threads)
            .build()) {
      relay.start();
      while (confirmed.get() < rows) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      while (queryLong(dataSource, "SELECT count(*) FROM (SELECT 1 FROM outbox_message LIMIT 1) x")
          > 0) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      return System.nanoTime() - started;
    }
  }

  private static long drainWithRawSql(DataSource dataSource, int threads, boolean returning)
      throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    long started = System.nanoTime();
    List<Future<?>> workers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int worker = t;
      workers.add(
          pool.submit(
              () ->
                  returning
                      ? rawDeleteReturningWorker(dataSource, worker, threads)
                      : mariaDb
                          ? rawMariaDbWorker(dataSource, worker, threads)
                          : rawWorker(dataSource, worker, threads)));
    }
    for (Future<?> f : workers) {
      f.get();
    }
    long elapsed = System.nanoTime() - started;
    pool.shutdown();
    return elapsed;
  }

  private static Void rawWorker(DataSource dataSource, int worker, int threads)
      throws SQLException {
    List<Integer> partitions = new ArrayList<>();
    for (int p = worker; p < PARTITIONS; p += threads) {
      partitions.add(p);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT id, message_id, topic, message_key, payload, headers::text, created_at,"
                    + " attempts FROM outbox_message WHERE partition_no = ?"
                    + " ORDER BY partition_no, id LIMIT ?");
        PreparedStatement delete =
            c.prepareStatement("DELETE FROM outbox_message WHERE id = ANY(?)")) {
      while (!partitions.isEmpty()) {
        for (int i = partitions.size() - 1; i >= 0; i--) {
          select.setInt(1, partitions.get(i));
          select.setInt(2, BATCH_SIZE);
          long[] ids = new long[BATCH_SIZE];
          int n = 0;
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              ids[n++] = rs.getLong(1);
              rs.getObject(2, UUID.class);
              rs.getString(3);
              rs.getString(4);
              rs.getBytes(5);
              rs.getString(6);
              rs.getObject(7, java.time.OffsetDateTime.class);
              rs.getInt(8);
            }
          }
          if (n == 0) {
            partitions.remove(i);
            continue;
          }
          delete.setObject(1, Arrays.copyOf(ids, n));
          delete.executeUpdate();
        }
      }
    }
    return null;
  }

  private static Void rawDeleteReturningWorker(DataSource dataSource, int worker, int threads)
      throws SQLException {
    List<Integer> partitions = new ArrayList<>();
    for (int p = worker; p < PARTITIONS; p += threads) {
      partitions.add(p);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement claim =
            c.prepareStatement(
                "DELETE FROM outbox_message WHERE id IN (SELECT id FROM outbox_message"
                    + " WHERE partition_no = ? ORDER BY partition_no, id LIMIT ?"
                    + " FOR UPDATE SKIP LOCKED)"
                    + " RETURNING id, message_id, topic, message_key, payload, headers::text,"
                    + " created_at, attempts")) {
      while (!partitions.isEmpty()) {
        for (int i = partitions.size() - 1; i >= 0; i--) {
          claim.setInt(1, partitions.get(i));
          claim.setInt(2, BATCH_SIZE);
          int n = 0;
          try (ResultSet rs = claim.executeQuery()) {
            while (rs.next()) {
              n++;
              rs.getLong(1);
              rs.getObject(2, UUID.class);
              rs.getString(3);
              rs.getString(4);
              rs.getBytes(5);
              rs.getString(6);
              rs.getObject(7, java.time.OffsetDateTime.class);
              rs.getInt(8);
            }
          }
          if (n == 0) {
            partitions.remove(i);
          }
        }
      }
    }
    return null;
  }

  /** A writer sends one message per transaction at ~1k/s; the handler records publish time. */
  private static void latency(DataSource dataSource, int messages, int threads) throws Exception {
    execute(dataSource, "TRUNCATE outbox_message, relay_lease, relay_instance");
    Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    Map<UUID, Long> publishedAt = new ConcurrentHashMap<>();
    InProcessPublisher publisher =
        InProcessPublisher.builder()
            .handler(
                "latency", (RelayMessage m) -> publishedAt.put(m.messageId(), System.nanoTime()))
            .build();
    Outbox outbox = Outbox.builder().partitions(PARTITIONS).build();
    int warmUp = Math.min(1000, messages / 5);
    // The machine's floor: a bare LISTEN connection timing the same commits' notifications (one
    // per transaction, delivered in commit order).
    List<Long> commits = new ArrayList<>();
    List<Long> notified = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread floor = new Thread(() -> listenFloor(dataSource, notified), "bench-notify-floor");
    floor.setDaemon(true);
    floor.start();
    try (Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .publisher(publisher)
            .partitions(PARTITIONS)
            .threads(threads)
            .build()) {
      relay.start();
      while (relay.health().ownedPartitions().size() < PARTITIONS || !relay.health().listening()) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      try (Connection c = dataSource.getConnection()) {
        c.setAutoCommit(false);
        long start = System.nanoTime();
        for (int i = 0; i < warmUp + messages; i++) {
          LockSupport.parkNanos(start + i * 1_000_000L - System.nanoTime());
          UUID id =
              outbox.send(c, OutboxMessage.to("latency").key("k" + (i % 100)).payload("x").build());
          c.commit();
          long now = System.nanoTime();
          commits.add(now);
          if (i >= warmUp) {
            committedAt.put(id, now);
          }
        }
        double rate = (warmUp + messages) / seconds(System.nanoTime() - start);
        long[] latencies = publishLatencies(committedAt, publishedAt);
        System.out.printf(
            "commit -> publish latency at %,.0f msgs/s (%,d messages after %,d warm-up):"
                + " p50 %.2f ms, p99 %.2f ms, max %.2f ms (target p99 <= 20 ms)%n",
            rate,
            latencies.length,
            warmUp,
            latencies[latencies.length / 2] / 1e6,
            latencies[(int) (latencies.length * 0.99) - 1] / 1e6,
            latencies[latencies.length - 1] / 1e6);
        floor.interrupt();
        long[] bare = new long[commits.size() - warmUp];
        synchronized (notified) {
          for (int i = warmUp; i < commits.size() && i < notified.size(); i++) {
            bare[i - warmUp] = Math.max(0, notified.get(i) - commits.get(i));
          }
        }
        Arrays.sort(bare);
        System.out.printf(
            "  floor on this machine, bare LISTEN of the same commits: p50 %.2f ms, p99 %.2f ms%n",
            bare[bare.length / 2] / 1e6, bare[(int) (bare.length * 0.99) - 1] / 1e6);
      }
    }
  }

  /**
   * MariaDB's raw loop: the same two statements as the relay's happy path without its lease fence
   * (head window by the claim index, then DELETE by primary key with the id list expanded).
   */
  private static Void rawMariaDbWorker(DataSource dataSource, int worker, int threads)
      throws SQLException {
    List<Integer> partitions = new ArrayList<>();
    for (int p = worker; p < PARTITIONS; p += threads) {
      partitions.add(p);
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement select =
            c.prepareStatement(
                "SELECT id, message_id, topic, message_key, payload, headers, created_at,"
                    + " attempts FROM outbox_message WHERE partition_no = ?"
                    + " ORDER BY partition_no, id LIMIT ?")) {
      while (!partitions.isEmpty()) {
        for (int i = partitions.size() - 1; i >= 0; i--) {
          int partition = partitions.get(i);
          select.setInt(1, partition);
          select.setInt(2, BATCH_SIZE);
          long[] ids = new long[BATCH_SIZE];
          int n = 0;
          try (ResultSet rs = select.executeQuery()) {
            while (rs.next()) {
              ids[n++] = rs.getLong(1);
              rs.getBytes(2);
              rs.getString(3);
              rs.getString(4);
              rs.getBytes(5);
              rs.getString(6);
              rs.getObject(7, java.time.LocalDateTime.class);
              rs.getInt(8);
            }
          }
          if (n == 0) {
            partitions.remove(i);
            continue;
          }
          StringBuilder in = new StringBuilder("(?");
          for (int k = 1; k < n; k++) {
            in.append(", ?");
          }
          try (PreparedStatement delete =
              c.prepareStatement(
                  "DELETE FROM outbox_message WHERE partition_no = ? AND id IN " + in + ")")) {
            delete.setInt(1, partition);
            for (int k = 0; k < n; k++) {
              delete.setLong(k + 2, ids[k]);
            }
            delete.executeUpdate();
          }
        }
      }
    }
    return null;
  }

  /**
   * MariaDB latency at ~1k msgs/s, one message per transaction. With {@code nudged}, the writer
   * sends through {@link Outbox} in this JVM (it nudges the relay); without, it inserts with plain
   * SQL (a writer in another JVM: only polling finds the rows). The floor is the commit itself: the
   * time from the start of the send to the return of commit.
   */
  private static void mariaDbLatency(
      DataSource dataSource, int messages, int threads, boolean nudged) throws Exception {
    truncate(dataSource);
    Map<UUID, Long> committedAt = new ConcurrentHashMap<>();
    Map<UUID, Long> publishedAt = new ConcurrentHashMap<>();
    InProcessPublisher publisher =
        InProcessPublisher.builder()
            .handler(
                "latency", (RelayMessage m) -> publishedAt.put(m.messageId(), System.nanoTime()))
            .build();
    Outbox outbox = Outbox.builder().partitions(PARTITIONS).build();
    int warmUp = Math.min(1000, messages / 5);
    long[] commitTimes = new long[messages];
    try (Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .publisher(publisher)
            .partitions(PARTITIONS)
            .threads(threads)
            .build()) {
      relay.start();
      while (relay.health().ownedPartitions().size() < PARTITIONS) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      try (Connection c = dataSource.getConnection();
          PreparedStatement insert =
              c.prepareStatement(
                  "INSERT INTO outbox_message (message_id, topic, message_key, partition_no,"
                      + " payload, headers, created_at, available_at)"
                      + " VALUES (?, 'latency', ?, ?, 'x', '{}', UTC_TIMESTAMP(6),"
                      + " UTC_TIMESTAMP(6))")) {
        c.setAutoCommit(false);
        long start = System.nanoTime();
        for (int i = 0; i < warmUp + messages; i++) {
          LockSupport.parkNanos(start + i * 1_000_000L - System.nanoTime());
          long sendStarted = System.nanoTime();
          UUID id;
          String key = "k" + (i % 100);
          if (nudged) {
            id = outbox.send(c, OutboxMessage.to("latency").key(key).payload("x").build());
          } else {
            id = UUID.randomUUID();
            insert.setBytes(1, dev.outpost.common.internal.JdbcValues.toBytes(id));
            insert.setString(2, key);
            insert.setInt(3, dev.outpost.outbox.Partitioner.partitionOfKey(key, PARTITIONS));
            insert.executeUpdate();
          }
          c.commit();
          long now = System.nanoTime();
          if (i >= warmUp) {
            committedAt.put(id, now);
            commitTimes[i - warmUp] = now - sendStarted;
          }
        }
        double rate = (warmUp + messages) / seconds(System.nanoTime() - start);
        long[] latencies = publishLatencies(committedAt, publishedAt);
        Arrays.sort(commitTimes);
        System.out.printf(
            "commit -> publish latency, %s, at %,.0f msgs/s (%,d messages after %,d warm-up):"
                + " p50 %.2f ms, p99 %.2f ms, max %.2f ms%n"
                + "  floor: send + commit of the same transactions: p50 %.2f ms, p99 %.2f ms"
                + " (target: publish p99 within 20 ms of the floor's p99)%n",
            nudged ? "writer in the relay's JVM (nudge)" : "plain INSERT (polling only)",
            rate,
            latencies.length,
            warmUp,
            latencies[latencies.length / 2] / 1e6,
            latencies[(int) (latencies.length * 0.99) - 1] / 1e6,
            latencies[latencies.length - 1] / 1e6,
            commitTimes[commitTimes.length / 2] / 1e6,
            commitTimes[(int) (commitTimes.length * 0.99) - 1] / 1e6);
      }
    }
  }

  private static void listenFloor(DataSource dataSource, List<Long> notified) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute("LISTEN outpost_outbox");
      org.postgresql.PGConnection pg = c.unwrap(org.postgresql.PGConnection.class);
      while (!Thread.currentThread().isInterrupted()) {
        org.postgresql.PGNotification[] ns = pg.getNotifications(100);
        if (ns != null) {
          long now = System.nanoTime();
          for (int i = 0; i < ns.length; i++) {
            notified.add(now);
          }
        }
      }
    } catch (SQLException e) {
      if (!Thread.currentThread().isInterrupted()) {
        e.printStackTrace();
      }
    }
  }

  private static void execute(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static long queryLong(DataSource dataSource, String sql) throws SQLException {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String serverVersion(DataSource dataSource) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      return c.getMetaData().getDatabaseProductName()
          + " "
          + c.getMetaData().getDatabaseProductVersion();
    }
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  /**
   * Waits up to 30 s until every committed message was published, then returns each one's commit →
   * publish latency in nanoseconds, sorted (an unpublished message counts as very late).
   */
  private static long[] publishLatencies(Map<UUID, Long> committedAt, Map<UUID, Long> publishedAt)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!publishedAt.keySet().containsAll(committedAt.keySet())
        && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return committedAt.entrySet().stream()
        .mapToLong(
            e ->
                Math.max(
                    0, publishedAt.getOrDefault(e.getKey(), Long.MAX_VALUE / 2) - e.getValue()))
        .sorted()
        .toArray();
  }
}
