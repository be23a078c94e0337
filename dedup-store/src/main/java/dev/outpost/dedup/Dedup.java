package dev.outpost.dedup;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.dedup.internal.DedupMeters;
import dev.outpost.dedup.internal.DedupSettings;
import dev.outpost.dedup.internal.DefaultDedup;
import dev.outpost.dedup.internal.Identifiers;
import dev.outpost.dedup.internal.MicrometerDedupMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Connection;
import java.time.Clock;
import java.util.Map;
import java.util.UUID;
import org.jooq.Configuration;
import org.jooq.DSLContext;

/**
 * The dedup store: makes a consumer's business work happen once per message in effect, although the
 * broker delivers messages at least once.
 *
 * <p>{@code processOnce} inserts the key {@code (consumer, messageId)} into the {@code dedup_key}
 * table on the caller's transaction with {@code INSERT ... ON CONFLICT DO NOTHING}. When the row is
 * new, it runs the work and returns {@code true}; when the key is already there, it skips the work
 * and returns {@code false}. Key and work commit or roll back together, so:
 *
 * <ul>
 *   <li>a duplicate delivery after the commit skips the work;
 *   <li>work that throws (and the rollback the caller then does) removes the key too, so a
 *       redelivery runs the work again;
 *   <li>a duplicate does not poison the transaction: no error is raised, the caller may go on;
 *   <li>concurrent deliveries of the same id run the work once: under READ COMMITTED (PostgreSQL's
 *       default) the second insert waits for the first transaction and then skips (or runs the work
 *       if the first rolled back); under REPEATABLE READ or SERIALIZABLE the second fails with a
 *       serialization error (SQLSTATE 40001) and should be retried by the caller.
 * </ul>
 *
 * <pre>{@code
 * Dedup dedup = Dedup.builder().build();
 * dsl.transaction(tx -> {
 *   boolean ran = dedup.processOnce(tx, "inventory", messageId, () -> reserveStock(tx, order));
 * });
 * }</pre>
 *
 * <p>The key is {@code (consumer, messageId)}: two consumer groups reading the same message each
 * process it once. Keys are removed by {@link DedupPurger} once older than the retention window.
 *
 * <p>Implementations are thread-safe; one instance serves the whole application.
 */
public interface Dedup {

  /** The longest consumer name accepted, in characters. */
  int MAX_CONSUMER_LENGTH = 200;

  /** Starts a configuration with the defaults. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Runs {@code work} unless {@code (consumer, messageId)} was already processed, on the jOOQ
   * transaction {@code tx}. Call it inside {@code dsl.transaction(...)}; {@code work} should use
   * the same transaction.
   *
   * @param tx the caller's transaction; its connection must not be in auto-commit mode
   * @param consumer the consumer (group) name, 1 to {@value #MAX_CONSUMER_LENGTH} characters, not
   *     blank
   * @param messageId the message's stable id
   * @param work the business work; when it throws, the exception propagates unchanged and the
   *     caller's transaction must roll back (jOOQ's {@code transaction} does that)
   * @return {@code true} when the work ran, {@code false} when the message was a duplicate
   * @throws IllegalArgumentException when an argument is null or invalid, or the connection is in
   *     auto-commit mode (the key would not be atomic with the work)
   * @throws DedupException when the key insert fails
   */
  boolean processOnce(DSLContext tx, String consumer, UUID messageId, Runnable work);

  /**
   * Same as {@link #processOnce(DSLContext, String, UUID, Runnable)} for the {@link Configuration}
   * that jOOQ's {@code transaction(tx -> ...)} hands over.
   *
   * @return {@code true} when the work ran, {@code false} when the message was a duplicate
   * @throws IllegalArgumentException when an argument is null or invalid, or auto-commit is on
   * @throws DedupException when the key insert fails
   */
  boolean processOnce(Configuration tx, String consumer, UUID messageId, Runnable work);

  /**
   * Runs {@code work} unless {@code (consumer, messageId)} was already processed, on the plain JDBC
   * connection {@code tx}, which must have auto-commit off. The caller commits afterwards, or rolls
   * back when this method throws.
   *
   * @param tx the caller's connection with auto-commit off
   * @param consumer the consumer (group) name, 1 to {@value #MAX_CONSUMER_LENGTH} characters, not
   *     blank
   * @param messageId the message's stable id
   * @param work the business work on {@code tx}
   * @return {@code true} when the work ran, {@code false} when the message was a duplicate
   * @throws IllegalArgumentException when an argument is null or invalid, or auto-commit is on
   * @throws DedupException when the key insert fails or {@code work} throws {@link
   *     java.sql.SQLException} (the cause); runtime exceptions of {@code work} propagate unchanged
   */
  boolean processOnce(Connection tx, String consumer, UUID messageId, SqlWork work);

  /**
   * The counts of one consumer since this instance was built; {@link DedupCounts#ZERO} for a
   * consumer not seen yet.
   *
   * @throws IllegalArgumentException when {@code consumer} is null
   */
  DedupCounts counts(String consumer);

  /** The configuration this store was built with. */
  DedupConfig config();

  /** The counts of every consumer seen since this instance was built (an immutable snapshot). */
  Map<String, DedupCounts> counts();

  /** The schema whose {@code dedup_key} table this instance writes. */
  String schema();

  /** Configuration of {@link Dedup}. Not thread-safe; {@link #build()} may be called repeatedly. */
  final class Builder {
    private String schema = OutpostTableNames.DEFAULT_SCHEMA;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private Dialect dialect;

    private Builder() {}

    /**
     * The database's dialect. By default it is detected from the first transaction's connection,
     * which also refuses an unsupported database or version before anything is written.
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * The schema of the {@code dedup_key} table: a lower-case identifier (on MySQL/MariaDB, the
     * database; the default means the connection's own), as given to {@code OutpostMigrations}.
     * Defaults to {@value OutpostTableNames#DEFAULT_SCHEMA}.
     */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /**
     * The clock that stamps {@code processed_at} (read once per call). Defaults to {@link
     * Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Also publishes the counts as Micrometer counters {@code outpost.dedup.processed} and {@code
     * outpost.dedup.duplicates}, tagged {@code consumer}. Optional (default none). Micrometer is an
     * optional dependency: it is needed on the class path only when a registry is passed.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Validates the configuration and builds the store. Starts no threads, opens no connection.
     *
     * @throws IllegalArgumentException naming the bad field
     */
    public Dedup build() {
      Identifiers.requireSchema("schema", schema);
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null; leave it unset for UTC");
      }
      DedupMeters meters =
          meterRegistry == null ? DedupMeters.NONE : MicrometerDedupMeters.create(meterRegistry);
      return new DefaultDedup(new DedupSettings(new DedupConfig(schema), clock, meters), dialect);
    }
  }
}
