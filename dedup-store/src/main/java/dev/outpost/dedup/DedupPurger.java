package dev.outpost.dedup;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.dedup.internal.DefaultDedupPurger;
import dev.outpost.dedup.internal.Identifiers;
import dev.outpost.dedup.internal.MicrometerPurgerMeters;
import dev.outpost.dedup.internal.PurgerSettings;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.function.IntConsumer;
import javax.sql.DataSource;

/**
 * Removes dedup keys older than the retention window, in bounded batches, so the {@code dedup_key}
 * table stays small. Each batch is one short {@code DELETE} of at most {@code batchSize} of the
 * oldest keys, committed on its own: no long lock, no long transaction.
 *
 * <p><b>The retention window must exceed the longest time after which a processed message can be
 * delivered again</b> (broker redelivery, a relay re-publishing after a crash, a replay of dead
 * letters, a consumer offset reset). A duplicate that arrives after its key was purged runs the
 * work a second time.
 *
 * <p>Use it synchronously ({@link #runOnce()}, {@link #purgeOlderThan(Duration)}) from your own
 * scheduler, or {@link #start()} a background thread ({@code outpost-dedup-purger}) that purges
 * every {@code interval}. Thread-safe; runs are serialised.
 *
 * <pre>{@code
 * try (DedupPurger purger =
 *     DedupPurger.builder().dataSource(ds).retention(Duration.ofDays(7)).build()) {
 *   purger.start();
 *   ...
 * }
 * }</pre>
 */
public interface DedupPurger extends AutoCloseable {

  /** Default retention window: 7 days. */
  Duration DEFAULT_RETENTION = Duration.ofDays(7);

  /** Default maximum keys per {@code DELETE} statement: 10,000. */
  int DEFAULT_BATCH_SIZE = 10_000;

  /** Largest allowed batch size. */
  int MAX_BATCH_SIZE = 1_000_000;

  /** Default pause between background runs: 10 minutes. */
  Duration DEFAULT_INTERVAL = Duration.ofMinutes(10);

  /** Default bound on how long {@link #close()} waits for a running purge: 10 seconds. */
  Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Starts a configuration with the defaults. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Purges keys older than the configured retention window, batch after batch until a batch finds
   * fewer keys than the batch size (or the purger is closed). The clock is read once per run.
   *
   * @throws DedupException when a statement fails; batches committed before stay deleted
   */
  PurgeResult runOnce();

  /** The configuration this purger was built with. */
  DedupPurgerConfig config();

  /**
   * Purges keys older than {@code window} (instead of the configured retention), in batches.
   *
   * @throws IllegalArgumentException when {@code window} is null, zero or negative
   * @throws DedupException when a statement fails; batches committed before stay deleted
   */
  PurgeResult purgeOlderThan(Duration window);

  /**
   * Starts the background thread, which runs {@link #runOnce()} at once and then every {@code
   * interval}, logging (not propagating) failures. A second call is a no-op.
   *
   * @throws IllegalStateException when the purger was closed
   */
  void start();

  /** Makes a started purger run now instead of waiting for the interval; no-op otherwise. */
  void wakeUp();

  /**
   * Stops the background thread: a running purge stops after its current batch; waits at most
   * {@code closeTimeout}. Idempotent; works without {@link #start()}.
   */
  @Override
  void close();

  /** Configuration of {@link DedupPurger}. Not thread-safe. */
  final class Builder {
    private Dialect dialect;
    private DataSource dataSource;
    private String schema = OutpostTableNames.DEFAULT_SCHEMA;
    private Clock clock = Clock.systemUTC();
    private Duration retention = DEFAULT_RETENTION;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private Duration interval = DEFAULT_INTERVAL;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private IntConsumer batchListener = deleted -> {};
    private MeterRegistry meterRegistry;

    private Builder() {}

    /**
     * The database's dialect. Defaults to the one detected from the data source at {@link
     * #build()}.
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /** The database; each batch takes a connection and gives it back. Required. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /**
     * Schema of the {@code dedup_key} table. Defaults to {@value OutpostTableNames#DEFAULT_SCHEMA}.
     */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** The clock the cutoff is computed from. Defaults to {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Keys processed longer ago than this are purged by {@link #runOnce()}; must exceed the maximum
     * redelivery delay. Positive. Defaults to 7 days ({@link #DEFAULT_RETENTION}).
     */
    public Builder retention(Duration retention) {
      this.retention = retention;
      return this;
    }

    /**
     * Maximum keys per {@code DELETE} statement, 1 to {@value #MAX_BATCH_SIZE}. Defaults to {@value
     * #DEFAULT_BATCH_SIZE}.
     */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /** Pause between background runs. Positive. Defaults to 10 minutes. */
    public Builder interval(Duration interval) {
      this.interval = interval;
      return this;
    }

    /** Bound on how long {@link #close()} waits. Not negative. Defaults to 10 seconds. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Called on the purging thread after each committed batch with the number of keys it deleted
     * (progress logging, metrics). Must not throw. Defaults to doing nothing.
     */
    public Builder batchListener(IntConsumer batchListener) {
      this.batchListener = batchListener;
      return this;
    }

    /**
     * Micrometer registry for the purger's counters: {@code outpost.dedup.purged} (keys deleted)
     * and {@code outpost.dedup.purge.failures} (failed runs, retried at the next interval).
     * Optional; Micrometer is an optional dependency. Defaults to none.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /**
     * Validates the configuration; starts nothing. Without {@link #dialect(Dialect)}, reads the
     * database's product and version on one short-lived connection.
     *
     * @throws IllegalArgumentException naming the bad field, its value and the allowed range
     * @throws dev.outpost.common.UnsupportedDatabaseException naming the version found and needed
     */
    public DedupPurger build() {
      if (dataSource == null) {
        throw new IllegalArgumentException(
            "dataSource is required: pass the DataSource of the database with the dedup_key table");
      }
      Identifiers.requireSchema("schema", schema);
      Identifiers.require("clock", clock);
      Identifiers.requirePositive("retention", retention);
      Identifiers.requireRange("batchSize", batchSize, 1, MAX_BATCH_SIZE);
      Identifiers.requirePositive("interval", interval);
      Identifiers.requireNotNegative("closeTimeout", closeTimeout);
      Identifiers.require("batchListener", batchListener);
      IntConsumer batches = batchListener;
      Runnable failures = () -> {};
      if (meterRegistry != null) {
        MicrometerPurgerMeters meters = new MicrometerPurgerMeters(meterRegistry);
        batches = batchListener.andThen(meters.purged());
        failures = meters.failed();
      }
      return new DefaultDedupPurger(
          new PurgerSettings(
              dataSource,
              new DedupPurgerConfig(schema, retention, batchSize, interval, closeTimeout),
              clock,
              batches,
              failures),
          dialect);
    }
  }
}
