package dev.outpost.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.SweepResult;
import dev.outpost.outbox.MessageIds;
import dev.outpost.outbox.OutboxMessage;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@link DelayBenchmark}'s MariaDB/MySQL mode ({@code --database mariadb}): per round, {@code
 * bench.messages} (default 50,000) rows due at once moved by raw JDBC running the library's move
 * statements without its bookkeeping (lock a batch {@code FOR UPDATE SKIP LOCKED}, {@code INSERT …
 * SELECT} into the outbox, {@code DELETE} by id, commit, at READ COMMITTED) and by {@code
 * runOnce()} (the same plus the due probe and {@code GET_LOCK}); then steady-rate lateness: a
 * started delay scheduler while {@code bench.steadyRate} messages per second fall due, measured
 * from due time to the batch's commit into the outbox (no relay: the outbox is the end point here).
 */
final class DelayBenchmarkMariaDb {

  private static final String TOPIC = DelayBenchmark.TOPIC;

  private static final String LOAD =
      "INSERT INTO delayed_message (message_id, topic, message_key, partition_no, payload,"
          + " headers, created_at, deliver_at, cancel_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String LOCK_DUE =
      "SELECT id FROM delayed_message WHERE deliver_at <= ? ORDER BY deliver_at, id LIMIT ?"
          + " FOR UPDATE SKIP LOCKED";

  private static final String COPY =
      "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload, headers,"
          + " created_at, available_at) SELECT d.message_id, d.topic, d.message_key,"
          + " d.partition_no, d.payload, d.headers, d.created_at, d.deliver_at FROM delayed_message"
          + " d WHERE d.id IN (%s) ORDER BY d.deliver_at, d.id";

  private static final String DELETE = "DELETE FROM delayed_message WHERE id IN (%s)";

  private final HikariDataSource dataSource;
  private final String schema;
  private final int messages = Integer.getInteger("bench.messages", 50_000);
  private final int batch = Integer.getInteger("bench.batch", 5_000);
  private final int rounds = Integer.getInteger("bench.rounds", 3);
  private final byte[] payload = new byte[Integer.getInteger("bench.payloadBytes", 128)];

  DelayBenchmarkMariaDb(HikariDataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.schema = schema;
    java.util.Arrays.fill(payload, (byte) 'x');
  }

  void run(String description) throws Exception {
    if (Boolean.getBoolean("bench.steadyOnly")) {
      steadyLateness();
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "Outpost delay benchmark on MariaDB/MySQL: %,d messages due at once, batches of %,d,"
            + " %d rounds, %d-byte payloads%n  %s %s, %d CPUs, load average %.1f%n",
        messages,
        batch,
        rounds,
        payload.length,
        version(),
        description,
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    List<Double> raw = new ArrayList<>();
    List<Double> sweep = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      // Alternate which phase goes first, so a warming cache or a busy neighbour favours neither.
      boolean rawFirst = round % 2 == 1;
      double a = rawFirst ? rawMove() : runOnce();
      double b = rawFirst ? runOnce() : rawMove();
      raw.add(rawFirst ? a : b);
      sweep.add(rawFirst ? b : a);
      System.out.printf(
          Locale.ROOT,
          "round %d: raw statements %,.0f msgs/s, runOnce() %,.0f msgs/s (%.2f x raw)%n",
          round,
          raw.get(round - 1),
          sweep.get(round - 1),
          sweep.get(round - 1) / raw.get(round - 1));
    }
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      ratios.add(sweep.get(i) / raw.get(i));
    }
    System.out.printf(
        Locale.ROOT,
        "Summary (medians): raw statements %,.0f msgs/s; runOnce() %,.0f msgs/s = %.2f x raw"
            + " (target >= 0.5 x)%n",
        median(raw),
        median(sweep),
        median(ratios));
    steadyLateness();
  }

  /** The library's three statements per batch, in one READ COMMITTED transaction each. */
  private double rawMove() throws SQLException {
    load(messages, Instant.now().minusSeconds(1));
    long start = System.nanoTime();
    long moved = 0;
    try (Connection connection = dataSource.getConnection()) {
      connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      connection.setAutoCommit(false);
      LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
      while (true) {
        List<Long> ids = new ArrayList<>(batch);
        try (PreparedStatement lock = connection.prepareStatement(LOCK_DUE)) {
          lock.setObject(1, now);
          lock.setInt(2, batch);
          try (ResultSet rs = lock.executeQuery()) {
            while (rs.next()) {
              ids.add(rs.getLong(1));
            }
          }
        }
        if (!ids.isEmpty()) {
          byIds(connection, COPY, ids);
          byIds(connection, DELETE, ids);
        }
        connection.commit();
        moved += ids.size();
        if (ids.size() < batch) {
          break;
        }
      }
      connection.setAutoCommit(true);
    }
    return rate(moved, System.nanoTime() - start);
  }

  private static void byIds(Connection connection, String template, List<Long> ids)
      throws SQLException {
    String sql = template.formatted("?, ".repeat(ids.size() - 1) + "?");
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      for (int i = 0; i < ids.size(); i++) {
        statement.setLong(i + 1, ids.get(i));
      }
      statement.executeUpdate();
    }
  }

  private double runOnce() throws SQLException {
    load(messages, Instant.now().minusSeconds(1));
    try (DelayScheduler delay =
        DelayScheduler.builder().dataSource(dataSource).schema(schema).batchSize(batch).build()) {
      long start = System.nanoTime();
      SweepResult result = delay.runOnce();
      if (result.moved() != messages) {
        throw new IllegalStateException("runOnce moved " + result.moved() + " of " + messages);
      }
      return rate(result.moved(), System.nanoTime() - start);
    }
  }

  /**
   * A started scheduler (default settings) while messages fall due at a steady rate; lateness of a
   * batch = its commit into the outbox minus the due time of its oldest message.
   */
  private void steadyLateness() throws Exception {
    int rate = Integer.getInteger("bench.steadyRate", 1_000);
    int seconds = Integer.getInteger("bench.steadySeconds", 10);
    long leadMillis = Long.getLong("bench.steadyLeadMillis", 1_000);
    int total = rate * seconds;
    load(0, Instant.now());
    long maxWriterLagMillis = 0;
    long committedAfterDue = 0;
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry
        .config()
        .meterFilter(
            new MeterFilter() {
              @Override
              public DistributionStatisticConfig configure(
                  io.micrometer.core.instrument.Meter.Id id, DistributionStatisticConfig config) {
                return DistributionStatisticConfig.builder()
                    .percentiles(0.5, 0.99)
                    .build()
                    .merge(config);
              }
            });
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(dataSource)
            .schema(schema)
            .meterRegistry(registry)
            .quartzSchedulerName("outpost-bench-steady-mariadb")
            .build()) {
      delay.start();
      long start = System.nanoTime();
      int written = 0;
      // At most 10 ms worth of messages per transaction, as in the PostgreSQL mode: a writer that
      // fell behind must not commit messages after their due time and charge that to the sweep.
      int perTransaction = Math.max(1, rate / 100);
      while (written < total) {
        long elapsed = System.nanoTime() - start;
        int upTo =
            (int)
                Math.min(
                    Math.min(total, written + perTransaction), elapsed * rate / 1_000_000_000L + 1);
        if (upTo > written) {
          maxWriterLagMillis =
              Math.max(maxWriterLagMillis, elapsed / 1_000_000 - written * 1_000L / rate);
          Instant firstDue = Instant.now().plusMillis(leadMillis);
          try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (int i = written; i < upTo; i++) {
              delay.scheduleAt(
                  connection,
                  OutboxMessage.to(TOPIC)
                      .key("steady-" + i)
                      .payload(("" + i).getBytes(StandardCharsets.US_ASCII))
                      .build(),
                  i == written ? firstDue : Instant.now().plusMillis(leadMillis));
            }
            connection.commit();
            connection.setAutoCommit(true);
          }
          if (Instant.now().isAfter(firstDue)) {
            committedAfterDue += upTo - written;
          }
          written = upTo;
        }
        long due = (System.nanoTime() - start) * rate / 1_000_000_000L + 1;
        if (due - written < perTransaction) {
          TimeUnit.MILLISECONDS.sleep(10); // caught up: wait for the next slots
        }
      }
      var moved = registry.get("outpost.delay.moved").counter();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (moved.count() < total && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
      if (moved.count() < total) {
        throw new IllegalStateException("only " + moved.count() + " of " + total + " moved");
      }
    }
    Timer batches = registry.get("outpost.delay.lateness").timer();
    var percentiles = batches.takeSnapshot().percentileValues();
    System.out.printf(
        Locale.ROOT,
        "steady %,d due msgs/s for %d s (%,d messages, due %,d ms after scheduling): %,d sweep"
            + " batches; batch lateness (oldest message of a batch, due -> committed into the"
            + " outbox) p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        rate,
        seconds,
        total,
        leadMillis,
        batches.count(),
        percentiles[0].value(TimeUnit.MILLISECONDS),
        percentiles[1].value(TimeUnit.MILLISECONDS),
        batches.max(TimeUnit.MICROSECONDS) / 1000.0);
    System.out.printf(
        Locale.ROOT,
        "  writer: at most %,d ms behind its slots; %,d messages committed after their due time"
            + " (nonzero means an overloaded machine)%n",
        maxWriterLagMillis,
        committedAfterDue);
  }

  /** Empties the delayed and outbox tables and loads {@code count} rows due at {@code due}. */
  private void load(int count, Instant due) throws SQLException {
    try (Connection connection = dataSource.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("TRUNCATE TABLE delayed_message");
        statement.execute("TRUNCATE TABLE outbox_message");
      }
      connection.setAutoCommit(false);
      LocalDateTime dueAt = LocalDateTime.ofInstant(due, ZoneOffset.UTC);
      LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);
      try (PreparedStatement insert = connection.prepareStatement(LOAD)) {
        for (int i = 0; i < count; i++) {
          String key = "order-" + i;
          insert.setBytes(1, JdbcValues.toBytes(MessageIds.next()));
          insert.setString(2, TOPIC);
          insert.setString(3, key);
          insert.setInt(4, i % 16);
          insert.setBytes(5, payload);
          insert.setString(6, "{\"type\":\"OrderTimeout\"}");
          insert.setObject(7, now);
          insert.setObject(8, dueAt);
          insert.setString(9, key);
          insert.addBatch();
          if ((i + 1) % 1_000 == 0) {
            insert.executeBatch();
          }
        }
        insert.executeBatch();
      }
      connection.commit();
      connection.setAutoCommit(true);
      try (Statement statement = connection.createStatement()) {
        statement.execute("ANALYZE TABLE delayed_message");
      }
    }
  }

  private String version() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT version()")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static double rate(long moved, long nanos) {
    return moved * 1e9 / nanos;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
