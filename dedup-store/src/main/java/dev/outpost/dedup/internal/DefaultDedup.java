package dev.outpost.dedup.internal;

import dev.outpost.common.Dialect;
import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupException;
import dev.outpost.dedup.SqlWork;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.jooq.Configuration;
import org.jooq.DSLContext;

/** The dedup store on the {@code dedup_key} table. Thread-safe. */
public final class DefaultDedup implements Dedup {

  private final DedupSettings settings;
  private volatile DedupRepository repository;
  private final ConcurrentHashMap<String, Tally> tallies = new ConcurrentHashMap<>();

  /** A store with validated settings, on PostgreSQL. */
  public DefaultDedup(DedupSettings settings) {
    this(settings, Dialect.POSTGRESQL);
  }

  /**
   * A store with validated settings on {@code dialect}; with {@code null} the dialect is detected
   * from the first transaction's connection (an unsupported database is refused before writing).
   */
  public DefaultDedup(DedupSettings settings, Dialect dialect) {
    this.settings = settings;
    this.repository = dialect == null ? null : new DedupRepository(dialect, settings.schema());
  }

  private DedupRepository repository(Connection connection) throws SQLException {
    DedupRepository known = repository;
    if (known == null) {
      known = new DedupRepository(Dialect.detect(connection), settings.schema());
      repository = known;
    }
    return known;
  }

  @Override
  public boolean processOnce(DSLContext tx, String consumer, UUID messageId, Runnable work) {
    Identifiers.require("tx", tx);
    checkArguments(consumer, messageId, work);
    Instant now = settings.clock().instant();
    // jOOQ may wrap exceptions thrown inside the callable, so failures come back as values.
    KeyInsert outcome =
        tx.connectionResult(connection -> insertKey(connection, consumer, messageId, now));
    return finish(outcome, consumer, messageId, work);
  }

  @Override
  public boolean processOnce(Configuration tx, String consumer, UUID messageId, Runnable work) {
    Identifiers.require("tx", tx);
    return processOnce(tx.dsl(), consumer, messageId, work);
  }

  @Override
  public boolean processOnce(Connection tx, String consumer, UUID messageId, SqlWork work) {
    Identifiers.require("tx", tx);
    checkArguments(consumer, messageId, work);
    KeyInsert outcome = insertKey(tx, consumer, messageId, settings.clock().instant());
    return finish(outcome, consumer, messageId, () -> runSqlWork(work, consumer, messageId));
  }

  @Override
  public dev.outpost.dedup.DedupConfig config() {
    return settings.config();
  }

  @Override
  public DedupCounts counts(String consumer) {
    Identifiers.require("consumer", consumer);
    Tally tally = tallies.get(consumer);
    return tally == null ? DedupCounts.ZERO : tally.snapshot();
  }

  @Override
  public Map<String, DedupCounts> counts() {
    Map<String, DedupCounts> snapshot = new TreeMap<>();
    tallies.forEach((consumer, tally) -> snapshot.put(consumer, tally.snapshot()));
    return Map.copyOf(snapshot);
  }

  @Override
  public String schema() {
    return settings.schema();
  }

  @Override
  public String toString() {
    return "Dedup[schema=" + settings.schema() + "]";
  }

  private static void checkArguments(String consumer, UUID messageId, Object work) {
    Identifiers.requireConsumer(consumer);
    Identifiers.requireMessageId(messageId);
    Identifiers.require("work", work);
  }

  /** What inserting the key gave: new, already there, or the exception to throw. */
  private sealed interface KeyInsert {
    /** The key was inserted ({@code isNew}) or was already there. */
    record Inserted(boolean isNew) implements KeyInsert {}

    /** The insert could not run; {@code error} is thrown outside jOOQ's callback. */
    record Failed(RuntimeException error) implements KeyInsert {}
  }

  private KeyInsert insertKey(Connection connection, String consumer, UUID messageId, Instant now) {
    try {
      if (connection.getAutoCommit()) {
        return new KeyInsert.Failed(
            new IllegalArgumentException(
                "the connection is in auto-commit mode, so the dedup key of message "
                    + messageId
                    + " would commit apart from the work; call processOnce inside a transaction"
                    + " (connection.setAutoCommit(false), or jOOQ's dsl.transaction(tx -> ...))"));
      }
      // Consumer names (at most Dedup.MAX_CONSUMER_LENGTH) fit MySQL's VARCHAR(255) column.
      return new KeyInsert.Inserted(
          repository(connection).insert(connection, consumer, messageId, now));
    } catch (dev.outpost.common.UnsupportedDatabaseException e) {
      return new KeyInsert.Failed(e);
    } catch (SQLException e) {
      return new KeyInsert.Failed(
          new DedupException(
              "could not record dedup key ("
                  + consumer
                  + ", "
                  + messageId
                  + ") in "
                  + settings.schema()
                  + ".dedup_key: "
                  + Causes.describe(e)
                  + " (SQLSTATE "
                  + e.getSQLState()
                  + ")"
                  + missingTableHint(e)
                  + "; roll back the transaction and retry the message",
              consumer,
              messageId,
              e));
    }
  }

  private boolean finish(KeyInsert outcome, String consumer, UUID messageId, Runnable work) {
    if (outcome instanceof KeyInsert.Failed failed) {
      throw failed.error();
    }
    Tally tally = tallies.computeIfAbsent(consumer, this::newTally);
    if (!((KeyInsert.Inserted) outcome).isNew()) {
      tally.duplicate();
      return false;
    }
    work.run();
    tally.processed();
    return true;
  }

  private static void runSqlWork(SqlWork work, String consumer, UUID messageId) {
    try {
      work.run();
    } catch (SQLException e) {
      throw new DedupException(
          "the work of consumer '"
              + consumer
              + "' for message "
              + messageId
              + " failed: "
              + Causes.describe(e)
              + " (SQLSTATE "
              + e.getSQLState()
              + "); roll back the transaction so the dedup key goes too",
          consumer,
          messageId,
          e);
    }
  }

  private Tally newTally(String consumer) {
    return new Tally(settings.meters().forConsumer(consumer));
  }

  private static final class Tally {
    private final LongAdder processed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();
    private final DedupMeters.Increments meters;

    Tally(DedupMeters.Increments meters) {
      this.meters = meters;
    }

    void processed() {
      processed.increment();
      meters.processed().run();
    }

    void duplicate() {
      duplicates.increment();
      meters.duplicate().run();
    }

    DedupCounts snapshot() {
      return new DedupCounts(processed.sum(), duplicates.sum());
    }
  }

  private String missingTableHint(SQLException e) {
    if (!"42P01".equals(e.getSQLState()) && !"3F000".equals(e.getSQLState())) {
      return "";
    }
    return ". The table "
        + settings.schema()
        + ".dedup_key does not exist: create Outpost's tables with OutpostMigrations"
        + " (OutpostMigrations.builder().dataSource(dataSource).schema(\""
        + settings.schema()
        + "\").build().migrate(), module db-migrations) before processing messages";
  }
}
