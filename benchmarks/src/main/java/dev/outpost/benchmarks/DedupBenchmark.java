package dev.outpost.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.common.Dialect;
import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.ProcessOutcome;
import dev.outpost.dedup.RedisDedup;
import dev.outpost.migrations.OutpostMigrations;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanIterator;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Throughput of the dedup store against raw JDBC running the same statements, measured in one run
 * on one database:
 *
 * <ol>
 *   <li>(a) raw JDBC: {@code INSERT ... ON CONFLICT DO NOTHING} of the dedup key plus a business
 *       insert, one transaction;
 *   <li>(b) {@code Dedup.processOnce} with the same business insert;
 *   <li>(c) {@code processOnce} on duplicates (the key exists, the work is skipped);
 *   <li>(d) the business insert alone.
 * </ol>
 *
 * <p>Args: {@code [seconds per scenario, default 10] [threads, default 8] [--database mariadb]}.
 * Uses the PostgreSQL at {@value BenchDatabase#ENV_URL} (user {@value BenchDatabase#ENV_USER},
 * password {@value BenchDatabase#ENV_PASSWORD}) when set, else starts an embedded PostgreSQL.
 * Tables go into schema {@value #SCHEMA}, migrated by {@code OutpostMigrations} and emptied first.
 * With {@code --database mariadb} (or {@code OUTPOST_BENCH_DATABASE=mariadb}) the same scenarios
 * run on MariaDB/MySQL ({@link BenchDatabase#openMariaDb}, in the benchmark's database, READ
 * COMMITTED as Outpost recommends there), raw JDBC sending the statement Outpost's MySQL dialect
 * sends: {@code INSERT IGNORE}, a {@code BINARY(16)} id, a UTC {@code DATETIME(6)}. After a warm-up
 * the scenarios run interleaved in one-second slices (the first of each round rotating), so drift
 * and bursts of other load hit all of them alike. Not a test.
 */
public final class DedupBenchmark {

  static final String SCHEMA = "outpost_bench";

  // What Outpost's dedup store sends on each database.
  private static final String RAW_DEDUP_INSERT_POSTGRESQL =
      "INSERT INTO %s (consumer, message_id, processed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";
  private static final String RAW_DEDUP_INSERT_MYSQL =
      "INSERT IGNORE INTO %s (consumer, message_id, processed_at) VALUES (?, ?, ?)";
  private static final String BUSINESS_INSERT =
      "INSERT INTO %s (message_id, payload) VALUES (?, ?)";
  private static final int DUPLICATE_KEYS = 10_000;

  private final HikariDataSource dataSource;
  private final Dialect dialect;
  private final String schema;
  private final String rawDedupInsert;
  private final String businessInsert;
  private final Dedup dedup;
  private final int threads;
  private final UUID[] duplicates = new UUID[DUPLICATE_KEYS];

  private DedupBenchmark(HikariDataSource dataSource, Dialect dialect, String schema, int threads) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.schema = schema;
    this.rawDedupInsert =
        (dialect == Dialect.MYSQL ? RAW_DEDUP_INSERT_MYSQL : RAW_DEDUP_INSERT_POSTGRESQL)
            .formatted(dialect.qualify(schema, "dedup_key"));
    this.businessInsert = BUSINESS_INSERT.formatted(dialect.qualify(schema, "bench_effect"));
    this.dedup = Dedup.builder().schema(schema).dialect(dialect).build();
    this.threads = threads;
  }

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("redis")) {
      redisMain(args);
      return;
    }
    String[] positional = BenchDatabase.withoutDatabaseArgs(args);
    int seconds = positional.length > 0 ? Integer.parseInt(positional[0]) : 10;
    int threads = positional.length > 1 ? Integer.parseInt(positional[1]) : 8;
    BenchDatabase.quietLogs();
    try (BenchDatabase database = BenchDatabase.fromArgs(args, Map.of());
        HikariDataSource dataSource = pool(database, threads + 1)) {
      DedupBenchmark benchmark =
          new DedupBenchmark(
              dataSource,
              database.dialect(),
              database.mariaDb() ? database.schema() : SCHEMA,
              threads);
      benchmark.prepare();
      System.out.printf(
          Locale.ROOT,
          "Dedup benchmark: %d s per scenario, %d threads, %s, %s%n",
          seconds,
          threads,
          database.embedded() ? "embedded PostgreSQL" : database.description(),
          benchmark.serverSettings());
      benchmark.run(seconds);
    }
  }

  private void run(int seconds) throws Exception {
    Map<String, Scenario> scenarios = new LinkedHashMap<>();
    scenarios.put("(a) raw JDBC: dedup insert + business insert", this::rawDedupAndBusiness);
    scenarios.put("(b) processOnce + business insert", this::processOnceAndBusiness);
    scenarios.put("(c) processOnce on duplicates (work skipped)", this::processOnceDuplicate);
    scenarios.put("(d) business insert alone", this::businessOnly);
    for (Scenario scenario : scenarios.values()) {
      measure(scenario, Math.max(1000, seconds * 200L));
    }
    Map<String, long[]> totals = new LinkedHashMap<>();
    scenarios.keySet().forEach(name -> totals.put(name, new long[2]));
    List<String> names = new ArrayList<>(scenarios.keySet());
    // One-second slices, rotating which scenario goes first, so bursts of other load on the
    // machine (and table growth) spread evenly over the four scenarios.
    long sliceMillis = 1000;
    for (int round = 0; round < seconds; round++) {
      for (int i = 0; i < names.size(); i++) {
        String name = names.get((round + i) % names.size());
        long[] total = totals.get(name);
        total[0] += measure(scenarios.get(name), sliceMillis);
        total[1] += sliceMillis;
      }
    }
    Map<String, Double> rates = new LinkedHashMap<>();
    System.out.println();
    System.out.printf(Locale.ROOT, "%-48s %12s%n", "scenario", "tx/s");
    for (Map.Entry<String, long[]> entry : totals.entrySet()) {
      double rate = entry.getValue()[0] * 1000.0 / entry.getValue()[1];
      rates.put(entry.getKey().substring(0, 3), rate);
      System.out.printf(Locale.ROOT, "%-48s %12.0f%n", entry.getKey(), rate);
    }
    System.out.printf(
        Locale.ROOT,
        "(system load average at the end: %.1f on %d cores)%n",
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
        Runtime.getRuntime().availableProcessors());
    double a = rates.get("(a)");
    System.out.printf(
        Locale.ROOT,
        "%nb/a = %.3f (processOnce vs raw JDBC, target >= 0.9)%n"
            + "c/a = %.3f (duplicate skip vs raw JDBC dedup + business)%n"
            + "a/d = %.3f (cost of the dedup insert on top of the business insert)%n",
        rates.get("(b)") / a,
        rates.get("(c)") / a,
        a / rates.get("(d)"));
  }

  /** Runs {@code scenario} on {@link #threads} threads for {@code millis}; returns tx count. */
  private long measure(Scenario scenario, long millis) throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  long count = 0;
                  try (Connection connection = dataSource.getConnection()) {
                    connection.setAutoCommit(false);
                    while (System.nanoTime() < deadline) {
                      scenario.transaction(connection);
                      connection.commit();
                      count++;
                    }
                  }
                  return count;
                }));
      }
      long total = 0;
      for (Future<Long> worker : workers) {
        total += worker.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  private static HikariDataSource pool(BenchDatabase database, int size) {
    HikariConfig config = database.poolConfig("outpost-bench", size);
    if (database.mariaDb()) {
      // Outpost's recommendation on MySQL/MariaDB; raw JDBC and Outpost share the pool.
      config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    }
    return new HikariDataSource(config);
  }

  private void rawDedupAndBusiness(Connection tx) throws SQLException {
    UUID messageId = UUID.randomUUID();
    try (PreparedStatement insert = tx.prepareStatement(rawDedupInsert)) {
      bindKey(insert, "bench", messageId);
      if (insert.executeUpdate() == 1) {
        business(tx, messageId);
      }
    }
  }

  private void processOnceAndBusiness(Connection tx) {
    UUID messageId = UUID.randomUUID();
    dedup.processOnce(tx, "bench", messageId, () -> business(tx, messageId));
  }

  private void processOnceDuplicate(Connection tx) {
    UUID messageId = duplicates[ThreadLocalRandom.current().nextInt(DUPLICATE_KEYS)];
    if (dedup.processOnce(tx, "bench-dup", messageId, () -> business(tx, messageId))) {
      throw new IllegalStateException("a prepared duplicate " + messageId + " ran its work");
    }
  }

  private void businessOnly(Connection tx) throws SQLException {
    business(tx, UUID.randomUUID());
  }

  /** Binds a dedup key as Outpost does: {@code uuid}/{@code timestamptz}, or bytes/UTC. */
  private void bindKey(PreparedStatement insert, String consumer, UUID messageId)
      throws SQLException {
    insert.setString(1, consumer);
    setId(insert, 2, messageId);
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    insert.setObject(3, dialect == Dialect.MYSQL ? now.toLocalDateTime() : now);
  }

  private void setId(PreparedStatement statement, int index, UUID id) throws SQLException {
    if (dialect == Dialect.MYSQL) {
      statement.setBytes(
          index,
          ByteBuffer.allocate(16)
              .putLong(id.getMostSignificantBits())
              .putLong(id.getLeastSignificantBits())
              .array());
    } else {
      statement.setObject(index, id);
    }
  }

  private void business(Connection tx, UUID messageId) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement(businessInsert)) {
      setId(insert, 1, messageId);
      insert.setString(2, "reserved 1 item");
      insert.executeUpdate();
    }
  }

  private void prepare() throws SQLException {
    OutpostMigrations.builder().dataSource(dataSource).schema(schema).build().migrate();
    String effects = dialect.qualify(schema, "bench_effect");
    String keys = dialect.qualify(schema, "dedup_key");
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      if (dialect == Dialect.MYSQL) {
        statement.execute(
            "CREATE TABLE IF NOT EXISTS "
                + effects
                + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, message_id BINARY(16) NOT NULL,"
                + " payload TEXT NOT NULL) ENGINE=InnoDB");
        statement.execute("TRUNCATE TABLE " + effects);
        statement.execute("TRUNCATE TABLE " + keys);
      } else {
        statement.execute(
            "CREATE TABLE IF NOT EXISTS "
                + effects
                + " (id bigserial PRIMARY KEY, message_id uuid NOT NULL, payload text NOT NULL)");
        statement.execute("TRUNCATE " + effects + ", " + keys);
      }
      connection.setAutoCommit(false);
      for (int i = 0; i < DUPLICATE_KEYS; i++) {
        duplicates[i] = UUID.randomUUID();
      }
      try (PreparedStatement insert = connection.prepareStatement(rawDedupInsert)) {
        for (UUID id : duplicates) {
          bindKey(insert, "bench-dup", id);
          insert.addBatch();
        }
        insert.executeBatch();
      }
      connection.commit();
      connection.setAutoCommit(true);
      statement.execute(dialect == Dialect.MYSQL ? "ANALYZE TABLE " + keys : "ANALYZE " + keys);
    }
  }

  private String serverSettings() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                dialect == Dialect.MYSQL
                    ? "SELECT @@version, @@innodb_flush_log_at_trx_commit, @@sync_binlog, @@log_bin"
                    : "SELECT current_setting('server_version'), current_setting('fsync'),"
                        + " current_setting('synchronous_commit')")) {
      rs.next();
      if (dialect == Dialect.MYSQL) {
        return "MySQL/MariaDB "
            + rs.getString(1)
            + " (innodb_flush_log_at_trx_commit="
            + rs.getString(2)
            + ", sync_binlog="
            + rs.getString(3)
            + ", log_bin="
            + rs.getString(4)
            + ", READ COMMITTED)";
      }
      return "PostgreSQL "
          + rs.getString(1)
          + " (fsync="
          + rs.getString(2)
          + ", synchronous_commit="
          + rs.getString(3)
          + ")";
    }
  }

  @FunctionalInterface
  private interface Scenario {
    void transaction(Connection tx) throws SQLException;
  }

  // ---- Redis path: RedisDedup against raw SET NX + SET doing the same, in the same run ----

  /** Environment variable with the Redis URL of the Redis section; default the local service. */
  static final String ENV_REDIS_URL = "OUTPOST_BENCH_REDIS_URL";

  // Short expiries keep the keys of a run (tens of thousands per second) from piling up.
  private static final Duration REDIS_LEASE = Duration.ofSeconds(5);
  private static final Duration REDIS_RETENTION = Duration.ofSeconds(5);

  /** The compare-and-set RedisDedup runs to mark a message done, for scenario (h). */
  private static final String FENCED_MARK_DONE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
          + "  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
          + "  return 1\n"
          + "end\n"
          + "return 0\n";

  /**
   * The Redis section, run with {@code redis [seconds per scenario, default 10] [threads, default
   * 8]}: on one shared Lettuce connection, (e) raw {@code SET key processing NX PX <lease>} then
   * {@code SET key done PX <retention>}, (f) {@code RedisDedup.processOnce} with empty work (the
   * same claim, then the fenced Lua mark), (g) {@code processOnce} on 10,000 keys already done, (h)
   * the same claim and the same Lua mark written by hand on Lettuce (the library's own cost). Uses
   * {@value #ENV_REDIS_URL}, else {@code redis://127.0.0.1:6379}; keys under a random prefix that
   * expire after 5 s (the duplicates after 10 minutes) and are deleted at the end.
   */
  static void redisMain(String[] args) throws Exception {
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int threads = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    String url = System.getenv().getOrDefault(ENV_REDIS_URL, "redis://127.0.0.1:6379");
    String prefix = "outpost-bench:" + UUID.randomUUID() + ":";
    RedisClient client = RedisClient.create(url);
    try (StatefulRedisConnection<String, String> connection = client.connect();
        RedisDedup dedup =
            RedisDedup.builder()
                .connection(connection)
                .keyPrefix(prefix)
                .lease(REDIS_LEASE)
                .retention(REDIS_RETENTION)
                .build();
        // The prepared duplicates are few (10,000) and must outlive the run.
        RedisDedup dedupOfDuplicates =
            RedisDedup.builder()
                .connection(connection)
                .keyPrefix(prefix)
                .retention(Duration.ofMinutes(10))
                .build()) {
      RedisCommands<String, String> redis = connection.sync();
      UUID[] done = new UUID[DUPLICATE_KEYS];
      for (int i = 0; i < DUPLICATE_KEYS; i++) {
        done[i] = UUID.randomUUID();
      }
      Map<String, RedisScenario> scenarios = new LinkedHashMap<>();
      scenarios.put(
          "(e) raw SET NX PX + SET PX",
          () -> {
            String key = prefix + "raw:" + UUID.randomUUID();
            if ("OK".equals(redis.set(key, "processing:t", SetArgs.Builder.nx().px(REDIS_LEASE)))) {
              redis.set(key, "done:t", SetArgs.Builder.px(REDIS_RETENTION));
            }
          });
      scenarios.put(
          "(f) RedisDedup.processOnce (claim, work, mark)",
          () -> {
            if (dedup.processOnce("bench", UUID.randomUUID(), () -> {})
                != ProcessOutcome.PROCESSED) {
              throw new IllegalStateException("a fresh message was not processed");
            }
          });
      scenarios.put(
          "(g) processOnce on duplicates",
          () -> {
            UUID id = done[ThreadLocalRandom.current().nextInt(DUPLICATE_KEYS)];
            if (dedupOfDuplicates.processOnce("bench-dup", id, () -> {})
                == ProcessOutcome.PROCESSED) {
              throw new IllegalStateException("a prepared duplicate " + id + " ran its work");
            }
          });
      String markDoneSha = redis.scriptLoad(FENCED_MARK_DONE);
      scenarios.put(
          "(h) raw SET NX PX + EVALSHA fenced mark",
          () -> {
            String key = prefix + "rawlua:" + UUID.randomUUID();
            if ("OK".equals(redis.set(key, "processing:t", SetArgs.Builder.nx().px(REDIS_LEASE)))) {
              redis.evalsha(
                  markDoneSha,
                  ScriptOutputType.INTEGER,
                  new String[] {key},
                  "processing:t",
                  "done:t",
                  Long.toString(REDIS_RETENTION.toMillis()));
            }
          });
      System.out.printf(
          Locale.ROOT,
          "Dedup benchmark, Redis path: %d s per scenario, %d threads, one shared connection,"
              + " Redis %s at %s%n",
          seconds,
          threads,
          redisVersion(redis),
          redactUrl(url));
      for (UUID id : done) {
        dedupOfDuplicates.processOnce("bench-dup", id, () -> {});
      }
      for (RedisScenario scenario : scenarios.values()) {
        measureRedis(scenario, threads, Math.max(1000, seconds * 200L));
      }
      Map<String, long[]> totals = new LinkedHashMap<>();
      scenarios.keySet().forEach(name -> totals.put(name, new long[2]));
      List<String> names = new ArrayList<>(scenarios.keySet());
      // Quarter-second slices, rotating which scenario goes first; besides the overall rates, the
      // ratio of (f) to (e) per round (measured side by side) and its median, which bursts of
      // other load on a shared machine move much less than the ratio of the totals.
      long sliceMillis = 250;
      List<Double> roundRatios = new ArrayList<>();
      for (int round = 0; round < seconds * 4; round++) {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
          String name = names.get((round + i) % names.size());
          long count = measureRedis(scenarios.get(name), threads, sliceMillis);
          counts.put(name.substring(0, 3), count);
          long[] total = totals.get(name);
          total[0] += count;
          total[1] += sliceMillis;
        }
        if (counts.get("(e)") > 0) {
          roundRatios.add((double) counts.get("(f)") / counts.get("(e)"));
        }
      }
      roundRatios.sort(null);
      Map<String, Double> rates = new LinkedHashMap<>();
      System.out.println();
      System.out.printf(Locale.ROOT, "%-48s %12s%n", "scenario", "ops/s");
      for (Map.Entry<String, long[]> entry : totals.entrySet()) {
        double rate = entry.getValue()[0] * 1000.0 / entry.getValue()[1];
        rates.put(entry.getKey().substring(0, 3), rate);
        System.out.printf(Locale.ROOT, "%-48s %12.0f%n", entry.getKey(), rate);
      }
      System.out.printf(
          Locale.ROOT,
          "(system load average at the end: %.1f on %d cores)%n",
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
          Runtime.getRuntime().availableProcessors());
      double e = rates.get("(e)");
      System.out.printf(
          Locale.ROOT,
          "%nf/e = %.3f (RedisDedup vs raw SET NX + SET, totals, target >= 0.9)%n"
              + "f/e per round: median %.3f, quartiles %.3f .. %.3f over %d rounds%n"
              + "g/e = %.3f (duplicate: SET NX refused + GET, vs raw SET NX + SET)%n"
              + "f/h = %.3f (RedisDedup vs the same fenced protocol written by hand: library cost)%n"
              + "h/e = %.3f (cost of the Lua compare-and-set over a plain SET)%n",
          rates.get("(f)") / e,
          roundRatios.get(roundRatios.size() / 2),
          roundRatios.get(roundRatios.size() / 4),
          roundRatios.get(roundRatios.size() * 3 / 4),
          roundRatios.size(),
          rates.get("(g)") / e,
          rates.get("(f)") / rates.get("(h)"),
          rates.get("(h)") / e);
      deleteKeys(redis, prefix);
    } finally {
      client.shutdown();
    }
  }

  private static long measureRedis(RedisScenario scenario, int threads, long millis)
      throws Exception {
    long deadline = System.nanoTime() + millis * 1_000_000L;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<Long>> workers = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        workers.add(
            pool.submit(
                () -> {
                  long count = 0;
                  while (System.nanoTime() < deadline) {
                    scenario.run();
                    count++;
                  }
                  return count;
                }));
      }
      long total = 0;
      for (Future<Long> worker : workers) {
        total += worker.get();
      }
      return total;
    } finally {
      pool.shutdownNow();
    }
  }

  private static String redisVersion(RedisCommands<String, String> redis) {
    for (String line : redis.info("server").split("\\r?\\n")) {
      if (line.startsWith("redis_version:")) {
        return line.substring("redis_version:".length()).trim();
      }
    }
    return "?";
  }

  private static String redactUrl(String url) {
    return url.replaceFirst("//[^@/]*@", "//***@");
  }

  private static void deleteKeys(RedisCommands<String, String> redis, String prefix) {
    List<String> batch = new ArrayList<>();
    ScanIterator<String> keys =
        ScanIterator.scan(redis, ScanArgs.Builder.matches(prefix + "*").limit(1000));
    while (keys.hasNext()) {
      batch.add(keys.next());
      if (batch.size() == 1000) {
        redis.unlink(batch.toArray(String[]::new));
        batch.clear();
      }
    }
    if (!batch.isEmpty()) {
      redis.unlink(batch.toArray(String[]::new));
    }
  }

  @FunctionalInterface
  private interface RedisScenario {
    void run();
  }
}
