package dev.outpost.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.SweepResult;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.MessageIds;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobExecutionException;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

/**
 * How fast the delay scheduler moves messages that fall due at once into the outbox, against the
 * raw SQL move statement on the same rows and against Quartz with one JDBC trigger per message.
 *
 * <p>Each round loads {@code bench.messages} (default 100,000) delayed rows, all due at the same
 * instant, and measures, in rotating order:
 *
 * <ul>
 *   <li><b>raw, batched</b>: the bare move statement ({@code DELETE … RETURNING} feeding {@code
 *       INSERT}, {@code SKIP LOCKED}, oldest first, locked rows deleted by ctid: the library's
 *       statement without its row counts and {@code ON CONFLICT}) in batches of {@code
 *       bench.batch}, one transaction each, on plain JDBC;
 *   <li><b>raw, one statement</b>: all rows in one statement (the ceiling);
 *   <li><b>sweep</b>: {@link DelayScheduler#runOnce()} with the same batch size;
 *   <li><b>sweep via Quartz</b>: a started {@link DelayScheduler} (clustered Quartz, default 250 ms
 *       interval); the rows fall due a few seconds after loading, and the time from due until the
 *       last row is in the outbox is measured (it includes waiting for the next fire).
 * </ul>
 *
 * Then Quartz with one JDBC trigger per message (clustered {@code JobStoreTX} on the same database,
 * {@value #PER_TRIGGER_THREADS} worker threads): {@code bench.quartzMessages} (default 1,000)
 * one-shot triggers, all due when the scheduler starts; each job moves its one row into the outbox.
 * Medians and ratios are printed with the targets (sweep ≥ 50k msgs/s, ≥ 0.5 × the raw statement, ≥
 * 100 × one trigger per message).
 *
 * <p>Database: {@code OUTPOST_BENCH_JDBC_URL} (with {@code OUTPOST_BENCH_JDBC_USER}, {@code
 * OUTPOST_BENCH_JDBC_PASSWORD}) when set, otherwise an embedded PostgreSQL tuned like the test
 * fixture ({@code fsync}, {@code synchronous_commit} and {@code full_page_writes} off; {@code
 * -Dbench.durable=true} turns them on). Tables go into schema {@value #SCHEMA}. System properties:
 * {@code bench.messages}, {@code bench.batch}, {@code bench.rounds}, {@code bench.quartzMessages},
 * {@code bench.payloadBytes}.
 *
 * <pre>
 * mvn -B -q -DskipTests -pl benchmarks -am package
 * java -cp benchmarks/target/outpost-benchmarks.jar dev.outpost.benchmarks.DelayBenchmark
 * </pre>
 */
public final class DelayBenchmark {

  static final String SCHEMA = "outpost_bench_delay";
  static final int PER_TRIGGER_THREADS = 10;
  static final String TOPIC = "order-timeout";

  private static final String DELAYED = SCHEMA + ".delayed_message";
  private static final String OUTBOX = SCHEMA + ".outbox_message";

  private static final String LOAD =
      "INSERT INTO "
          + DELAYED
          + " (message_id, topic, message_key, partition_no, payload, headers, created_at,"
          + " deliver_at, cancel_key) VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)";

  private static final String RAW_MOVE_BATCH =
      """
      WITH due AS (
        SELECT ctid FROM %1$s WHERE deliver_at <= ? ORDER BY deliver_at, id LIMIT ?
        FOR UPDATE SKIP LOCKED
      ), moved AS (
        DELETE FROM %1$s d WHERE d.ctid = ANY (ARRAY(SELECT ctid FROM due)) RETURNING d.*
      )
      INSERT INTO %2$s (message_id, topic, message_key, partition_no, payload, headers,
                        created_at, available_at)
      SELECT message_id, topic, message_key, partition_no, payload, headers, created_at,
             deliver_at
      FROM moved ORDER BY deliver_at, id
      """
          .formatted(DELAYED, OUTBOX);

  private static final String RAW_MOVE_ALL =
      """
      WITH moved AS (DELETE FROM %1$s WHERE deliver_at <= ? RETURNING *)
      INSERT INTO %2$s (message_id, topic, message_key, partition_no, payload, headers,
                        created_at, available_at)
      SELECT message_id, topic, message_key, partition_no, payload, headers, created_at,
             deliver_at
      FROM moved ORDER BY deliver_at, id
      """
          .formatted(DELAYED, OUTBOX);

  private static final String MOVE_ONE =
      """
      WITH moved AS (DELETE FROM %1$s WHERE id = ? RETURNING *)
      INSERT INTO %2$s (message_id, topic, message_key, partition_no, payload, headers,
                        created_at, available_at)
      SELECT message_id, topic, message_key, partition_no, payload, headers, created_at,
             deliver_at
      FROM moved
      """
          .formatted(DELAYED, OUTBOX);

  private final int messages = Integer.getInteger("bench.messages", 100_000);
  private final int batch = Integer.getInteger("bench.batch", 5_000);
  private final int rounds = Integer.getInteger("bench.rounds", 5);
  private final int quartzMessages = Integer.getInteger("bench.quartzMessages", 1_000);
  private final byte[] payload = new byte[Integer.getInteger("bench.payloadBytes", 128)];
  private final HikariDataSource dataSource;
  private long lastLoadNanos;

  private DelayBenchmark(HikariDataSource dataSource) {
    this.dataSource = dataSource;
    java.util.Arrays.fill(payload, (byte) 'x');
  }

  public static void main(String[] args) throws Exception {
    BenchDatabase.quietLogs();
    String durable = Boolean.getBoolean("bench.durable") ? "on" : "off";
    try (BenchDatabase database =
            BenchDatabase.fromArgs(
                args,
                Map.of(
                    "max_connections", "300",
                    "fsync", durable,
                    "synchronous_commit", durable,
                    "full_page_writes", durable));
        HikariDataSource dataSource = pool(database)) {
      if (database.mariaDb()) {
        OutpostMigrations.builder()
            .dataSource(dataSource)
            .schema(database.schema())
            .build()
            .migrate();
        new DelayBenchmarkMariaDb(dataSource, database.schema()).run(database.description());
        return;
      }
      OutpostMigrations.builder().dataSource(dataSource).schema(SCHEMA).build().migrate();
      new DelayBenchmark(dataSource).run(database.url());
    }
  }

  private void run(String url) throws Exception {
    if (Boolean.getBoolean("bench.steadyOnly")) {
      clearQuartzTables();
      steadyLateness();
      return;
    }
    System.out.printf(
        Locale.ROOT,
        "Outpost delay benchmark: %,d messages due at once, batches of %,d, %d rounds,"
            + " %d-byte payloads%n  PostgreSQL %s at %s, fsync=%s synchronous_commit=%s"
            + " full_page_writes=%s, %d CPUs, load average %.1f%n",
        messages,
        batch,
        rounds,
        payload.length,
        show("server_version"),
        url.replaceAll("password=[^&]*", "password=***"),
        show("fsync"),
        show("synchronous_commit"),
        show("full_page_writes"),
        Runtime.getRuntime().availableProcessors(),
        loadAverage());
    clearQuartzTables();

    Map<String, List<Double>> rates = new LinkedHashMap<>();
    List<Phase> phases =
        new ArrayList<>(
            List.of(
                new Phase("raw move statement, batches", this::rawBatched),
                new Phase("raw move statement, one statement", this::rawAll),
                new Phase("sweep runOnce()", this::sweepRunOnce),
                new Phase("sweep via Quartz (due -> all moved)", this::sweepViaQuartz)));
    phases.forEach(p -> rates.put(p.name, new ArrayList<>()));
    List<Double> quartzLateness = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      System.out.printf(Locale.ROOT, "round %d%n", round);
      for (Phase phase : phases) {
        Result result = phase.work.run();
        check(result);
        rates.get(phase.name).add(result.rate());
        if (result.maxLatenessMillis >= 0) {
          quartzLateness.add(result.maxLatenessMillis);
        }
        System.out.printf(
            Locale.ROOT,
            "  %-38s %,10.0f msgs/s  (%,d in %,d ms%s)%n",
            phase.name,
            result.rate(),
            result.moved,
            result.nanos / 1_000_000,
            result.maxLatenessMillis >= 0
                ? String.format(Locale.ROOT, ", max lateness %,.0f ms", result.maxLatenessMillis)
                : "");
      }
      Collections.rotate(phases, 1);
    }

    Result perTrigger = quartzOneTriggerPerMessage();
    check(perTrigger);
    System.out.printf(
        Locale.ROOT,
        "Quartz, one trigger per message: %,d triggers due at once fired and moved in %,d ms%n",
        perTrigger.moved,
        perTrigger.nanos / 1_000_000);

    steadyLateness();

    List<Double> rawBatchedRates = rates.get("raw move statement, batches");
    List<Double> rawAllRates = rates.get("raw move statement, one statement");
    List<Double> sweepRates = rates.get("sweep runOnce()");
    List<Double> viaQuartzRates = rates.get("sweep via Quartz (due -> all moved)");
    double sweep = median(sweepRates);
    double viaQuartz = median(viaQuartzRates);
    System.out.printf(Locale.ROOT, "%nload average at the end: %.1f%n", loadAverage());
    System.out.println(
        "Summary: median over "
            + rounds
            + " rounds; ratios are medians of the per-round ratios (phases of a round ran back to"
            + " back, so load from elsewhere mostly cancels out)");
    line("raw move statement, batches of " + batch, median(rawBatchedRates), "");
    line("raw move statement, one statement", median(rawAllRates), "");
    line(
        "sweep runOnce()",
        sweep,
        String.format(
            Locale.ROOT,
            "%.2f x raw batched, %.2f x raw one statement  (target >= 50,000/s and >= 0.5 x raw)",
            medianRatio(sweepRates, rawBatchedRates),
            medianRatio(sweepRates, rawAllRates)));
    line(
        "sweep via Quartz, due -> all in outbox",
        viaQuartz,
        String.format(
            Locale.ROOT,
            "%.2f x raw batched; max lateness %,.0f ms (median)",
            medianRatio(viaQuartzRates, rawBatchedRates),
            median(quartzLateness)));
    line(
        "Quartz, one trigger per message",
        perTrigger.rate(),
        String.format(
            Locale.ROOT,
            "sweep = %,.0f x, sweep via Quartz = %,.0f x  (target >= 100 x)",
            sweep / perTrigger.rate(),
            viaQuartz / perTrigger.rate()));
  }

  /** The bare statement in batches, one transaction each, until a batch comes back short. */
  private Result rawBatched() throws Exception {
    load(messages, Instant.now().minusSeconds(1));
    long start = System.nanoTime();
    long moved = 0;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement move = connection.prepareStatement(RAW_MOVE_BATCH)) {
      connection.setAutoCommit(false);
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      while (true) {
        move.setObject(1, now);
        move.setInt(2, batch);
        int rows = move.executeUpdate();
        connection.commit();
        moved += rows;
        if (rows < batch) {
          break;
        }
      }
      connection.setAutoCommit(true);
    }
    return new Result(moved, System.nanoTime() - start, -1);
  }

  /** All due rows in one statement. */
  private Result rawAll() throws Exception {
    load(messages, Instant.now().minusSeconds(1));
    long start = System.nanoTime();
    long moved;
    try (Connection connection = dataSource.getConnection();
        PreparedStatement move = connection.prepareStatement(RAW_MOVE_ALL)) {
      move.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
      moved = move.executeUpdate();
    }
    return new Result(moved, System.nanoTime() - start, -1);
  }

  private Result sweepRunOnce() throws Exception {
    load(messages, Instant.now().minusSeconds(1));
    try (DelayScheduler delay =
        DelayScheduler.builder().dataSource(dataSource).schema(SCHEMA).batchSize(batch).build()) {
      long start = System.nanoTime();
      SweepResult result = delay.runOnce();
      return new Result(result.moved(), System.nanoTime() - start, -1);
    }
  }

  /**
   * A started delay scheduler; the rows are loaded to fall due together a little later, and the
   * clock runs from that instant until the delayed table is empty.
   */
  private Result sweepViaQuartz() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(dataSource)
            .schema(SCHEMA)
            .batchSize(batch)
            .meterRegistry(registry)
            .quartzSchedulerName("outpost-bench-sweep")
            .build()) {
      delay.start();
      // Due after the load is surely done: three times the last load, at least 3 s.
      Duration margin = Duration.ofNanos(Math.max(3_000_000_000L, 3 * lastLoadNanos));
      Instant due = Instant.now().plus(margin);
      load(messages, due);
      long untilDue = Duration.between(Instant.now(), due).toNanos();
      if (untilDue <= 0) {
        throw new IllegalStateException("loading took longer than " + margin + " (the due time)");
      }
      TimeUnit.NANOSECONDS.sleep(untilDue);
      long start = System.nanoTime();
      // Watch the in-process counter: polling the table would scan the dead rows of the drain
      // and compete with it for the CPUs.
      var movedCounter = registry.get("outpost.delay.moved").counter();
      while (movedCounter.count() < messages) {
        if (System.nanoTime() - start > TimeUnit.MINUTES.toNanos(5)) {
          throw new IllegalStateException("only " + movedCounter.count() + " moved in 5 minutes");
        }
        TimeUnit.MILLISECONDS.sleep(1);
      }
      long nanos = System.nanoTime() - start;
      Timer lateness = registry.get("outpost.delay.lateness").timer();
      long moved = (long) movedCounter.count();
      return new Result(moved, nanos, lateness.max(TimeUnit.MILLISECONDS));
    }
  }

  /**
   * One one-shot JDBC trigger per message on a clustered Quartz with a JDBC job store on the same
   * database; all triggers are due when the scheduler starts.
   */
  private Result quartzOneTriggerPerMessage() throws Exception {
    load(quartzMessages, Instant.now().plus(Duration.ofDays(1)));
    List<Long> ids = new ArrayList<>();
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT id FROM " + DELAYED + " ORDER BY id")) {
      while (rs.next()) {
        ids.add(rs.getLong(1));
      }
    }
    String providerName = "outpost-bench-per-trigger";
    DBConnectionManager.getInstance()
        .addConnectionProvider(providerName, new PoolConnectionProvider(dataSource));
    Properties properties = new Properties();
    properties.setProperty("org.quartz.scheduler.instanceName", "outpost-bench-per-trigger");
    properties.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    properties.setProperty(
        "org.quartz.threadPool.threadCount", String.valueOf(PER_TRIGGER_THREADS));
    properties.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    properties.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    properties.setProperty("org.quartz.jobStore.dataSource", providerName);
    properties.setProperty("org.quartz.jobStore.tablePrefix", SCHEMA + ".qrtz_");
    properties.setProperty("org.quartz.jobStore.isClustered", "true");
    properties.setProperty("org.quartz.jobStore.misfireThreshold", "600000");
    Scheduler quartz = new StdSchedulerFactory(properties).getScheduler();
    try {
      quartz.getContext().put(MoveOneJob.DATA_SOURCE, dataSource);
      long scheduling = System.nanoTime();
      for (long id : ids) {
        quartz.scheduleJob(
            JobBuilder.newJob(MoveOneJob.class)
                .withIdentity("move-" + id, "bench")
                .usingJobData(MoveOneJob.ROW_ID, id)
                .build(),
            TriggerBuilder.newTrigger().withIdentity("move-" + id, "bench").startNow().build());
      }
      scheduling = System.nanoTime() - scheduling;
      System.out.printf(
          Locale.ROOT,
          "Quartz, one trigger per message: scheduled %,d jobs+triggers at %,.0f/s%n",
          ids.size(),
          ids.size() * 1e9 / scheduling);
      long start = System.nanoTime();
      quartz.start();
      while (anyDelayed()) {
        TimeUnit.MILLISECONDS.sleep(5);
      }
      long nanos = System.nanoTime() - start;
      return new Result(count(OUTBOX), nanos, -1);
    } finally {
      quartz.shutdown(true);
      clearQuartzTables();
    }
  }

  /**
   * Delivery lateness at a steady rate: a started {@link DelayScheduler} (default settings) and a
   * relay with an in-process handler; {@code bench.steadyRate} messages per second (default 1,000)
   * are scheduled, each due {@code bench.steadyLeadMillis} (default 1,000) after it is written, for
   * {@code bench.steadySeconds} (default 10). A message's lateness is the instant its handler runs
   * minus its due time (carried in the payload): sweep, relay wake-up and claim included.
   */
  private void steadyLateness() throws Exception {
    int rate = Integer.getInteger("bench.steadyRate", 1_000);
    int seconds = Integer.getInteger("bench.steadySeconds", 10);
    long leadMillis = Long.getLong("bench.steadyLeadMillis", 1_000);
    int total = rate * seconds;
    load(0, Instant.now());
    long[] latenessMicros = new long[total];
    java.util.concurrent.atomic.AtomicInteger delivered =
        new java.util.concurrent.atomic.AtomicInteger();
    java.util.concurrent.atomic.AtomicInteger early =
        new java.util.concurrent.atomic.AtomicInteger();
    dev.outpost.relay.InProcessPublisher publisher =
        dev.outpost.relay.InProcessPublisher.builder()
            .handler(
                TOPIC,
                m -> {
                  Instant now = Instant.now();
                  String[] parts =
                      new String(m.payload(), java.nio.charset.StandardCharsets.US_ASCII)
                          .split(":");
                  int index = Integer.parseInt(parts[0]);
                  long dueMicros = Long.parseLong(parts[1]);
                  long nowMicros = now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
                  long late = nowMicros - dueMicros;
                  if (late < 0) {
                    early.incrementAndGet();
                  }
                  latenessMicros[index] = late;
                  delivered.incrementAndGet();
                })
            .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    registry
        .config()
        .meterFilter(
            new io.micrometer.core.instrument.config.MeterFilter() {
              @Override
              public io.micrometer.core.instrument.distribution.DistributionStatisticConfig
                  configure(
                      io.micrometer.core.instrument.Meter.Id id,
                      io.micrometer.core.instrument.distribution.DistributionStatisticConfig
                          config) {
                return io.micrometer.core.instrument.distribution.DistributionStatisticConfig
                    .builder()
                    .percentiles(0.5, 0.99)
                    .build()
                    .merge(config);
              }
            });
    long committedAfterDue = 0;
    long maxWriterLagMillis = 0;
    try (DelayScheduler delay =
            DelayScheduler.builder()
                .dataSource(dataSource)
                .schema(SCHEMA)
                .meterRegistry(registry)
                .quartzSchedulerName("outpost-bench-steady")
                .build();
        dev.outpost.relay.Relay relay =
            dev.outpost.relay.Relay.builder()
                .dataSource(dataSource)
                .publisher(publisher)
                .schema(SCHEMA)
                .build()) {
      delay.start();
      relay.start();
      long start = System.nanoTime();
      int written = 0;
      // Every 10 ms one transaction schedules the messages whose slots have passed; message i is
      // due leadMillis after its slot, so due times are spread evenly at the rate. A transaction
      // holds at most 10 ms worth of messages: on an overloaded machine a writer that fell behind
      // would otherwise commit one huge transaction whose first messages fall due before it
      // commits, and charge the writer's lag to the scheduler.
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
          Instant firstDue = null;
          try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (int i = written; i < upTo; i++) {
              Instant due = Instant.now().plusMillis(leadMillis);
              if (firstDue == null) {
                firstDue = due;
              }
              long dueMicros = due.getEpochSecond() * 1_000_000 + due.getNano() / 1_000;
              // the due column keeps microseconds, rounded up
              if (due.getNano() % 1_000 != 0) {
                dueMicros++;
              }
              delay.scheduleAt(
                  connection,
                  dev.outpost.outbox.OutboxMessage.to(TOPIC)
                      .key("steady-" + i)
                      .payload(
                          (i + ":" + dueMicros)
                              .getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                      .build(),
                  due);
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
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60) + leadMillis * 1_000_000;
      while (delivered.get() < total && System.nanoTime() < deadline) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
    if (delivered.get() < total) {
      throw new IllegalStateException("only " + delivered.get() + " of " + total + " delivered");
    }
    long[] sorted = latenessMicros.clone();
    java.util.Arrays.sort(sorted);
    Timer batches = registry.get("outpost.delay.lateness").timer();
    System.out.printf(
        Locale.ROOT,
        "steady %,d due msgs/s for %d s (%,d messages, due %,d ms after scheduling):"
            + " delivery lateness (handler ran - due) p50 %.1f ms, p99 %.1f ms, max %.1f ms;"
            + " %d delivered early; sweep batches %,d, batch lateness (oldest message of a batch,"
            + " due -> committed into the outbox) p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        rate,
        seconds,
        total,
        leadMillis,
        sorted[total / 2] / 1000.0,
        sorted[(int) Math.min(total - 1, Math.ceil(total * 0.99) - 1)] / 1000.0,
        sorted[total - 1] / 1000.0,
        early.get(),
        batches.count(),
        batches.takeSnapshot().percentileValues()[0].value(TimeUnit.MILLISECONDS),
        batches.takeSnapshot().percentileValues()[1].value(TimeUnit.MILLISECONDS),
        batches.max(TimeUnit.MICROSECONDS) / 1000.0);
    System.out.printf(
        Locale.ROOT,
        "  writer: at most %,d ms behind its slots; %,d messages committed after their due time"
            + " (late through the writer, not the scheduler; nonzero means an overloaded"
            + " machine)%n",
        maxWriterLagMillis,
        committedAfterDue);
  }

  /** Moves one delayed row, named in its job data, into the outbox. */
  public static final class MoveOneJob implements Job {
    static final String DATA_SOURCE = "bench.dataSource";
    static final String ROW_ID = "rowId";

    @Override
    public void execute(JobExecutionContext context) throws JobExecutionException {
      try {
        DataSource dataSource = (DataSource) context.getScheduler().getContext().get(DATA_SOURCE);
        try (Connection connection = dataSource.getConnection();
            PreparedStatement move = connection.prepareStatement(MOVE_ONE)) {
          move.setLong(1, context.getMergedJobDataMap().getLong(ROW_ID));
          move.executeUpdate();
        }
      } catch (SchedulerException | SQLException e) {
        throw new JobExecutionException(e);
      }
    }
  }

  /** Quartz's connections from the benchmark's pool. */
  private static final class PoolConnectionProvider implements ConnectionProvider {
    private final DataSource dataSource;

    PoolConnectionProvider(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    @Override
    public Connection getConnection() throws SQLException {
      return dataSource.getConnection();
    }

    @Override
    public void shutdown() {}

    @Override
    public void initialize() {}
  }

  /** Empties both tables and loads {@code count} delayed rows, all due at {@code due}. */
  private void load(int count, Instant due) throws SQLException {
    long start = System.nanoTime();
    try (Connection connection = dataSource.getConnection()) {
      try (Statement statement = connection.createStatement()) {
        statement.execute("TRUNCATE " + DELAYED + ", " + OUTBOX + " RESTART IDENTITY");
      }
      connection.setAutoCommit(false);
      OffsetDateTime dueAt = due.atOffset(ZoneOffset.UTC);
      OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
      try (PreparedStatement insert = connection.prepareStatement(LOAD)) {
        for (int i = 0; i < count; i++) {
          String key = "order-" + i;
          insert.setObject(1, MessageIds.next());
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
        statement.execute("VACUUM ANALYZE " + DELAYED);
        statement.execute("VACUUM ANALYZE " + OUTBOX);
        try {
          statement.execute("CHECKPOINT");
        } catch (SQLException notSuperuser) {
          // Only a cleaner start; the measurements do not depend on it.
        }
      }
    }
    lastLoadNanos = System.nanoTime() - start;
  }

  private static void check(Result result) {
    if (result.moved <= 0) {
      throw new IllegalStateException("nothing was moved: " + result);
    }
  }

  private boolean anyDelayed() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT EXISTS (SELECT 1 FROM " + DELAYED + ")")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private long count(String table) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private void clearQuartzTables() throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(
          ("TRUNCATE %1$sqrtz_fired_triggers, %1$sqrtz_paused_trigger_grps,"
                  + " %1$sqrtz_scheduler_state, %1$sqrtz_locks, %1$sqrtz_simple_triggers,"
                  + " %1$sqrtz_cron_triggers, %1$sqrtz_simprop_triggers, %1$sqrtz_blob_triggers,"
                  + " %1$sqrtz_triggers, %1$sqrtz_job_details, %1$sqrtz_calendars")
              .formatted(SCHEMA + "."));
    }
  }

  private String show(String setting) throws SQLException {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SHOW " + setting)) {
      rs.next();
      return rs.getString(1);
    }
  }

  private static void line(String what, double rate, String note) {
    System.out.printf(Locale.ROOT, "  %-40s %,10.0f msgs/s  %s%n", what, rate, note);
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static double medianRatio(List<Double> numerators, List<Double> denominators) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < numerators.size(); i++) {
      ratios.add(numerators.get(i) / denominators.get(i));
    }
    return median(ratios);
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private static HikariDataSource pool(BenchDatabase database) {
    HikariConfig config = database.poolConfig("bench", 24);
    if (!database.mariaDb()) {
      config.addDataSourceProperty("reWriteBatchedInserts", "true");
    }
    return new HikariDataSource(config);
  }

  @FunctionalInterface
  private interface Work {
    Result run() throws Exception;
  }

  private record Phase(String name, Work work) {}

  private record Result(long moved, long nanos, double maxLatenessMillis) {
    double rate() {
      return moved * 1e9 / nanos;
    }
  }
}
