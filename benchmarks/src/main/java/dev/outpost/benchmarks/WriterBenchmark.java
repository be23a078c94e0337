package dev.outpost.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.common.Dialect;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.MessageIds;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.SQLDialect;
import org.jooq.impl.DSL;

/**
 * Throughput of the outbox writer against hand-written JDBC doing the same statements.
 *
 * <p>Every transaction inserts one business row and one outbox row (the same {@code INSERT INTO
 * outbox_message}, so the notify trigger fires in both), from {@value #DEFAULT_THREADS} client
 * threads over a pool of as many connections. After a warm-up, rounds of raw JDBC and of Outpost
 * alternate (the order flips every round) and the median of each is reported with their ratio
 * (target: Outpost ≥ 0.9 × raw). A second part sends {@value #DEFAULT_BATCH} messages per
 * transaction with {@code sendAll} against a raw JDBC {@code executeBatch} and reports rows/s.
 * Tables are truncated before every round so each starts from the same state.
 *
 * <p>Database: {@code OUTPOST_BENCH_JDBC_URL} (with {@code OUTPOST_BENCH_JDBC_USER}, {@code
 * OUTPOST_BENCH_JDBC_PASSWORD}) when set, otherwise an embedded PostgreSQL with {@code fsync} and
 * {@code synchronous_commit} at their defaults (on): commits are durable. Tables go into schema
 * {@code outpost_bench}. With {@code --database mariadb} (or {@code
 * OUTPOST_BENCH_DATABASE=mariadb}) the same comparison runs on MariaDB/MySQL ({@link
 * BenchDatabase#openMariaDb}), in the benchmark's database, with the statements Outpost's MySQL
 * dialect sends (no {@code jsonb} cast, {@code BINARY(16)} ids, UTC {@code DATETIME(6)} times) and
 * READ COMMITTED, as Outpost recommends there; the server's durability settings are printed. System
 * properties: {@code bench.threads}, {@code bench.seconds} (per round), {@code bench.rounds},
 * {@code bench.batch}, {@code bench.synchronousCommit} (set to {@code off} to measure the CPU-bound
 * case).
 *
 * <pre>
 * mvn -B -q -DskipTests -pl benchmarks -am package
 * java -cp benchmarks/target/outpost-benchmarks.jar dev.outpost.benchmarks.WriterBenchmark
 * java -cp benchmarks/target/outpost-benchmarks.jar dev.outpost.benchmarks.WriterBenchmark --database mariadb
 * </pre>
 */
public final class WriterBenchmark {

  static final int DEFAULT_THREADS = 8;
  static final int DEFAULT_BATCH = 100;
  static final String SCHEMA = "outpost_bench";
  static final int WARMUP_SECONDS = 5;

  private static final String BUSINESS_INSERT =
      "INSERT INTO %s (customer, amount, created_at) VALUES (?, ?, ?)";
  // What Outpost's writer sends on each database (PostgreSQL casts the headers to jsonb).
  private static final String RAW_OUTBOX_INSERT =
      "INSERT INTO %s (message_id, topic, message_key, partition_no,"
          + " payload, headers, created_at, available_at)"
          + " VALUES (?, ?, ?, ?, ?, %s, ?, ?)";
  private static final String HEADERS_JSON = "{\"type\":\"OrderCreated\"}";

  private final int threads = Integer.getInteger("bench.threads", DEFAULT_THREADS);
  private final int seconds = Integer.getInteger("bench.seconds", 3);
  private final int rounds = Integer.getInteger("bench.rounds", 7);
  private final int batch = Integer.getInteger("bench.batch", DEFAULT_BATCH);
  private final AtomicLong orderIds = new AtomicLong();
  private final HikariDataSource dataSource;
  private final Dialect dialect;
  private final String schema;
  private final String businessInsert;
  private final String rawOutboxInsert;
  private final DSLContext dsl;
  private final Outbox outbox;
  private final ExecutorService pool;

  private WriterBenchmark(HikariDataSource dataSource, Dialect dialect, String schema) {
    this.dataSource = dataSource;
    this.dialect = dialect;
    this.schema = schema;
    this.businessInsert = BUSINESS_INSERT.formatted(dialect.qualify(schema, "bench_order"));
    this.rawOutboxInsert =
        RAW_OUTBOX_INSERT.formatted(
            dialect.qualify(schema, "outbox_message"),
            dialect == Dialect.MYSQL ? "?" : "CAST(? AS jsonb)");
    this.dsl =
        DSL.using(dataSource, dialect == Dialect.MYSQL ? SQLDialect.MYSQL : SQLDialect.POSTGRES);
    this.outbox = Outbox.builder().schema(schema).dialect(dialect).build();
    this.pool = Executors.newFixedThreadPool(threads, r -> new Thread(r, "bench-client"));
  }

  /** The work of one transaction, on a connection with auto-commit off; returns rows sent. */
  @FunctionalInterface
  interface Transaction {
    int run(Connection connection, long n) throws Exception;
  }

  /** One whole transaction, begun and committed; returns rows sent. */
  @FunctionalInterface
  interface Workload {
    int once() throws Exception;
  }

  public static void main(String[] args) throws Exception {
    BenchDatabase.quietLogs();
    int threads = Integer.getInteger("bench.threads", DEFAULT_THREADS);
    try (BenchDatabase database =
            BenchDatabase.fromArgs(
                args,
                Map.of(
                    "max_connections", "100",
                    // The embedded default turns fsync off; PostgreSQL's default (on) keeps commits
                    // durable, as in production.
                    "fsync", "on",
                    "full_page_writes", "on",
                    "synchronous_commit", System.getProperty("bench.synchronousCommit", "on")));
        HikariDataSource dataSource = pool(database, threads)) {
      String schema = database.mariaDb() ? database.schema() : SCHEMA;
      prepare(dataSource, database.dialect(), schema);
      WriterBenchmark benchmark = new WriterBenchmark(dataSource, database.dialect(), schema);
      try {
        benchmark.run(database.url());
      } finally {
        benchmark.pool.shutdownNow();
      }
    }
  }

  private void run(String url) throws Exception {
    if (dialect == Dialect.MYSQL) {
      System.out.printf(
          Locale.ROOT,
          "Outpost writer benchmark: %d threads, %d rounds of %d s, MySQL/MariaDB %s at %s%n"
              + "  innodb_flush_log_at_trx_commit=%s sync_binlog=%s log_bin=%s, READ COMMITTED,"
              + " %d CPUs%n",
          threads,
          rounds,
          seconds,
          show("version"),
          url.replaceAll("password=[^&]*", "password=***"),
          show("innodb_flush_log_at_trx_commit"),
          show("sync_binlog"),
          show("log_bin"),
          Runtime.getRuntime().availableProcessors());
    } else {
      System.out.printf(
          Locale.ROOT,
          "Outpost writer benchmark: %d threads, %d rounds of %d s, PostgreSQL %s at %s%n"
              + "  fsync=%s synchronous_commit=%s full_page_writes=%s, %d CPUs%n",
          threads,
          rounds,
          seconds,
          show("server_version"),
          url.replaceAll("password=[^&]*", "password=***"),
          show("fsync"),
          show("synchronous_commit"),
          show("full_page_writes"),
          Runtime.getRuntime().availableProcessors());
    }

    Map<String, Workload> single = new LinkedHashMap<>();
    single.put("raw JDBC", () -> inTransaction(this::rawSingle));
    single.put("Outpost send(Connection)", () -> inTransaction(this::outpostSingle));
    single.put("Outpost send(DSLContext)", this::jooqSingle);
    Map<String, List<Round>> singleRates = measure("business row + 1 message per tx", single);

    Map<String, Workload> batched = new LinkedHashMap<>();
    batched.put("raw JDBC executeBatch", () -> inTransaction(this::rawBatch));
    batched.put("Outpost sendAll(Connection)", () -> inTransaction(this::outpostBatch));
    Map<String, List<Round>> batchRates =
        measure("business row + " + batch + " messages per tx (rows/s)", batched);

    System.out.println();
    System.out.println(
        "Summary: median rate over the rounds; ratio = median of the per-round ratios to raw"
            + " JDBC (each pair ran back to back, so load from elsewhere cancels out)");
    List<Round> raw = singleRates.get("raw JDBC");
    report("raw JDBC", "tx/s", raw, raw, "");
    report(
        "Outpost send(Connection)",
        "tx/s",
        singleRates.get("Outpost send(Connection)"),
        raw,
        "  (target >= 0.9)");
    report(
        "Outpost send(DSLContext)",
        "tx/s",
        singleRates.get("Outpost send(DSLContext)"),
        raw,
        "  (jOOQ-managed transaction)");
    List<Round> rawBatch = batchRates.get("raw JDBC executeBatch");
    report("raw JDBC executeBatch x" + batch, "rows/s", rawBatch, rawBatch, "");
    report(
        "Outpost sendAll x" + batch,
        "rows/s",
        batchRates.get("Outpost sendAll(Connection)"),
        rawBatch,
        "");
  }

  private static void report(
      String name, String unit, List<Round> rounds, List<Round> baseline, String note) {
    List<Double> rates = new ArrayList<>();
    List<Double> ratios = new ArrayList<>();
    List<Double> cpu = new ArrayList<>();
    for (int i = 0; i < rounds.size(); i++) {
      rates.add(rounds.get(i).rate());
      ratios.add(rounds.get(i).rate() / baseline.get(i).rate());
      cpu.add(rounds.get(i).cpuMicrosPerTransaction());
    }
    System.out.printf(
        Locale.ROOT,
        "  %-30s %,10.0f %-6s ratio %.3f  client CPU %6.1f us/tx%s%n",
        name,
        median(rates),
        unit,
        median(ratios),
        median(cpu),
        note);
  }

  /** Warm-up, then rounds alternating the workloads (order flipped every round). */
  private Map<String, List<Round>> measure(String title, Map<String, Workload> workloads)
      throws Exception {
    System.out.println();
    System.out.println(title);
    List<String> names = new ArrayList<>(workloads.keySet());
    for (String name : names) {
      runRound(workloads.get(name), WARMUP_SECONDS);
    }
    Map<String, List<Round>> rates = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      List<String> order = new ArrayList<>(names);
      if (round % 2 == 0) {
        Collections.reverse(order);
      }
      for (String name : order) {
        Round result = runRound(workloads.get(name), seconds);
        rates.computeIfAbsent(name, k -> new ArrayList<>()).add(result);
        System.out.printf(
            Locale.ROOT,
            "  round %d  %-30s %,10.0f /s  client CPU %6.1f us/tx%n",
            round,
            name,
            result.rate(),
            result.cpuMicrosPerTransaction());
      }
    }
    return rates;
  }

  /** Rows per second of a round, and the client threads' CPU time per transaction. */
  record Round(double rate, double cpuMicrosPerTransaction) {}

  /** Runs {@code workload} from all client threads for {@code seconds}. */
  private Round runRound(Workload workload, int seconds) throws Exception {
    truncate();
    AtomicBoolean stop = new AtomicBoolean();
    CountDownLatch start = new CountDownLatch(1);
    List<Future<long[]>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      results.add(
          pool.submit(
              () -> {
                ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
                start.await();
                long cpuBefore = cpu.getCurrentThreadCpuTime();
                long rows = 0;
                long transactions = 0;
                while (!stop.get()) {
                  rows += workload.once();
                  transactions++;
                }
                return new long[] {rows, transactions, cpu.getCurrentThreadCpuTime() - cpuBefore};
              }));
    }
    long begin = System.nanoTime();
    start.countDown();
    Thread.sleep(seconds * 1000L);
    stop.set(true);
    long rows = 0;
    long transactions = 0;
    long cpuNanos = 0;
    for (Future<long[]> result : results) {
      long[] counts = result.get();
      rows += counts[0];
      transactions += counts[1];
      cpuNanos += counts[2];
    }
    double elapsed = (System.nanoTime() - begin) / 1e9;
    return new Round(rows / elapsed, cpuNanos / 1e3 / Math.max(1, transactions));
  }

  private int inTransaction(Transaction transaction) throws Exception {
    try (Connection connection = dataSource.getConnection()) {
      try {
        int rows = transaction.run(connection, orderIds.incrementAndGet());
        connection.commit();
        return rows;
      } catch (Exception e) {
        connection.rollback();
        throw e;
      }
    }
  }

  private int rawSingle(Connection connection, long n) throws SQLException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    insertBusinessRow(connection, n, now);
    String key = "order-" + n;
    try (PreparedStatement insert = connection.prepareStatement(rawOutboxInsert)) {
      bindRawMessage(insert, key, payload(n), now);
      insert.executeUpdate();
    }
    return 1;
  }

  private int outpostSingle(Connection connection, long n) throws SQLException {
    insertBusinessRow(connection, n, OffsetDateTime.now(ZoneOffset.UTC));
    outbox.send(connection, message(n));
    return 1;
  }

  /** The same statements in a jOOQ-managed transaction, as a jOOQ application sends. */
  private int jooqSingle() {
    long n = orderIds.incrementAndGet();
    dsl.transaction(
        tx -> {
          tx.dsl()
              .connection(
                  connection ->
                      insertBusinessRow(connection, n, OffsetDateTime.now(ZoneOffset.UTC)));
          outbox.send(tx, message(n));
        });
    return 1;
  }

  private int rawBatch(Connection connection, long n) throws SQLException {
    OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
    insertBusinessRow(connection, n, now);
    try (PreparedStatement insert = connection.prepareStatement(rawOutboxInsert)) {
      for (int i = 0; i < batch; i++) {
        bindRawMessage(insert, "order-" + n + "-" + i, payload(n), now);
        insert.addBatch();
      }
      insert.executeBatch();
    }
    return batch;
  }

  private int outpostBatch(Connection connection, long n) throws SQLException {
    insertBusinessRow(connection, n, OffsetDateTime.now(ZoneOffset.UTC));
    List<OutboxMessage> messages = new ArrayList<>(batch);
    for (int i = 0; i < batch; i++) {
      messages.add(
          OutboxMessage.to("orders")
              .key("order-" + n + "-" + i)
              .payload(payload(n))
              .header("type", "OrderCreated")
              .build());
    }
    outbox.sendAll(connection, messages);
    return batch;
  }

  private void insertBusinessRow(Connection connection, long n, OffsetDateTime now)
      throws SQLException {
    try (PreparedStatement insert = connection.prepareStatement(businessInsert)) {
      insert.setString(1, "customer-" + (n % 1000));
      insert.setBigDecimal(2, java.math.BigDecimal.valueOf(n % 10_000, 2));
      setTime(insert, 3, now);
      insert.executeUpdate();
    }
  }

  /** What a hand-written outbox does: random id, hash partition, fixed headers. */
  private void bindRawMessage(
      PreparedStatement insert, String key, byte[] payload, OffsetDateTime now)
      throws SQLException {
    // The same time-ordered UUIDv7 ids Outpost uses: random v4 ids would make the baseline
    // slower (scattered inserts into the message_id index), flattering the writer.
    UUID id = MessageIds.next();
    if (dialect == Dialect.MYSQL) {
      // BINARY(16), big-endian, as Outpost stores it
      insert.setBytes(
          1,
          ByteBuffer.allocate(16)
              .putLong(id.getMostSignificantBits())
              .putLong(id.getLeastSignificantBits())
              .array());
    } else {
      insert.setObject(1, id);
    }
    insert.setString(2, "orders");
    insert.setString(3, key);
    insert.setInt(4, Math.floorMod(key.hashCode(), 16));
    insert.setBytes(5, payload);
    insert.setString(6, HEADERS_JSON);
    setTime(insert, 7, now);
    setTime(insert, 8, now);
  }

  /** {@code timestamptz} on PostgreSQL; UTC {@code DATETIME(6)} on MySQL, as Outpost binds it. */
  private void setTime(PreparedStatement statement, int index, OffsetDateTime time)
      throws SQLException {
    statement.setObject(
        index,
        dialect == Dialect.MYSQL
            ? time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()
            : time);
  }

  private static OutboxMessage message(long n) {
    return OutboxMessage.to("orders")
        .key("order-" + n)
        .payload(payload(n))
        .header("type", "OrderCreated")
        .build();
  }

  /** About 200 bytes of JSON, as an order event would be. */
  private static byte[] payload(long n) {
    return ("{\"orderId\":\"order-"
            + n
            + "\",\"customer\":\"customer-"
            + (n % 1000)
            + "\",\"amount\":\"123.45\",\"currency\":\"EUR\",\"items\":[{\"sku\":\"BOOK-1\","
            + "\"quantity\":1},{\"sku\":\"PEN-7\",\"quantity\":3}],\"status\":\"CREATED\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  private void truncate() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      if (dialect == Dialect.MYSQL) {
        statement.execute("TRUNCATE TABLE " + dialect.qualify(schema, "bench_order"));
        statement.execute("TRUNCATE TABLE " + dialect.qualify(schema, "outbox_message"));
        connection.commit();
        return;
      }
      statement.execute(
          "TRUNCATE outpost_bench.bench_order, outpost_bench.outbox_message RESTART IDENTITY");
      connection.commit();
      try {
        // Starts every round with a clean WAL; needs rights an external database may not grant.
        statement.execute("CHECKPOINT");
      } catch (SQLException e) {
        connection.rollback();
      }
    }
  }

  private String show(String setting) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                dialect == Dialect.MYSQL ? "SELECT @@" + setting : "SHOW " + setting)) {
      rs.next();
      String value = rs.getString(1);
      connection.commit();
      return value;
    }
  }

  private static void prepare(DataSource dataSource, Dialect dialect, String schema)
      throws SQLException {
    OutpostMigrations.builder().dataSource(dataSource).schema(schema).build().migrate();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      String table = dialect.qualify(schema, "bench_order");
      statement.execute(
          dialect == Dialect.MYSQL
              ? "CREATE TABLE IF NOT EXISTS "
                  + table
                  + " (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, customer VARCHAR(64) NOT"
                  + " NULL, amount DECIMAL(12, 2) NOT NULL, created_at DATETIME(6) NOT NULL)"
                  + " ENGINE=InnoDB"
              : "CREATE TABLE IF NOT EXISTS "
                  + table
                  + " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, customer text NOT"
                  + " NULL, amount numeric(12, 2) NOT NULL, created_at timestamptz NOT NULL)");
      connection.commit();
    }
  }

  private static HikariDataSource pool(BenchDatabase database, int size) {
    HikariConfig config = database.poolConfig("outpost-bench", size);
    config.setMinimumIdle(size);
    config.setAutoCommit(false);
    if (database.mariaDb()) {
      // Outpost's recommendation on MySQL/MariaDB; raw JDBC and Outpost share the pool.
      config.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    }
    return new HikariDataSource(config);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int middle = sorted.size() / 2;
    return sorted.size() % 2 == 1
        ? sorted.get(middle)
        : (sorted.get(middle - 1) + sorted.get(middle)) / 2;
  }
}
