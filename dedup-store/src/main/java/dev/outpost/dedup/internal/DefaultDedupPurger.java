package dev.outpost.dedup.internal;

import dev.outpost.dedup.DedupException;
import dev.outpost.dedup.DedupPurger;
import dev.outpost.dedup.PurgeResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.jooq.exception.DataAccessException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Batched retention purge of {@code dedup_key}. Thread-safe. */
public final class DefaultDedupPurger implements DedupPurger {

  static final String THREAD_NAME = "outpost-dedup-purger";
  private static final Logger log = LoggerFactory.getLogger(DefaultDedupPurger.class);

  private final PurgerSettings settings;
  private final DedupRepository repository;
  private final ReentrantLock runLock = new ReentrantLock();
  private final Object lifecycle = new Object();
  private ScheduledExecutorService executor;
  private volatile boolean closed;

  /** A purger with validated settings, on the dialect detected from its data source. */
  public DefaultDedupPurger(PurgerSettings settings) {
    this(settings, null);
  }

  /**
   * A purger with validated settings on {@code dialect}, or (with {@code null}) the dialect
   * detected from the data source now.
   *
   * @throws dev.outpost.common.UnsupportedDatabaseException for an unsupported database or version
   */
  public DefaultDedupPurger(PurgerSettings settings, dev.outpost.common.Dialect dialect) {
    this.settings = settings;
    this.repository =
        new DedupRepository(
            dialect != null ? dialect : dev.outpost.common.Dialect.detect(settings.dataSource()),
            settings.schema());
  }

  @Override
  public dev.outpost.dedup.DedupPurgerConfig config() {
    return settings.config();
  }

  @Override
  public PurgeResult runOnce() {
    return purgeOlderThan(settings.retention());
  }

  @Override
  public PurgeResult purgeOlderThan(Duration window) {
    Identifiers.requirePositive("window", window);
    runLock.lock();
    try {
      Instant cutoff = settings.clock().instant().minus(window);
      long deleted = 0;
      int batches = 0;
      int largest = 0;
      int batch;
      do {
        batch = deleteBatch(cutoff);
        batches++;
        deleted += batch;
        largest = Math.max(largest, batch);
        settings.batchListener().accept(batch);
      } while (batch == settings.batchSize() && !closed);
      if (deleted > 0) {
        log.info(
            "Purged {} dedup keys older than {} from {}.dedup_key in {} batches",
            deleted,
            cutoff,
            settings.schema(),
            batches);
      }
      return new PurgeResult(cutoff, deleted, batches, largest);
    } finally {
      runLock.unlock();
    }
  }

  private int deleteBatch(Instant cutoff) {
    try (Connection connection = settings.dataSource().getConnection()) {
      boolean autoCommit = connection.getAutoCommit();
      int deleted = repository.deleteOlderThan(connection, cutoff, settings.batchSize());
      if (!autoCommit) {
        connection.commit();
      }
      return deleted;
    } catch (SQLException | DataAccessException e) {
      throw new DedupException(
          "could not purge dedup keys older than "
              + cutoff
              + " from "
              + settings.schema()
              + ".dedup_key: "
              + Causes.describe(e)
              + "; check the database connection and that the schema is migrated"
              + " (OutpostMigrations creates the tables)",
          null,
          null,
          e);
    }
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException("the dedup purger was closed; build a new one");
      }
      if (executor != null) {
        return;
      }
      ScheduledThreadPoolExecutor pool =
          new ScheduledThreadPoolExecutor(
              1,
              runnable -> {
                Thread thread = new Thread(runnable, THREAD_NAME);
                thread.setDaemon(true);
                return thread;
              });
      pool.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      long intervalMillis = Math.max(1, settings.interval().toMillis());
      pool.scheduleWithFixedDelay(this::runLogged, 0, intervalMillis, TimeUnit.MILLISECONDS);
      executor = pool;
    }
  }

  @Override
  public void wakeUp() {
    synchronized (lifecycle) {
      if (executor != null && !closed) {
        executor.execute(this::runLogged);
      }
    }
  }

  private void runLogged() {
    try {
      runOnce();
    } catch (Throwable e) {
      // Anything thrown out of a scheduled task would cancel its later runs: log, count, go on.
      settings.failureListener().run();
      if (e instanceof Error) {
        log.error("Dedup key purge failed; retrying in {}", settings.interval(), e);
      } else {
        log.warn("Dedup key purge failed; retrying in {}", settings.interval(), e);
      }
    }
  }

  @Override
  public void close() {
    ScheduledExecutorService toStop;
    synchronized (lifecycle) {
      closed = true;
      toStop = executor;
      executor = null;
    }
    if (toStop == null) {
      return;
    }
    toStop.shutdown();
    try {
      if (!toStop.awaitTermination(settings.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn("Dedup purger did not stop within {}; interrupting it", settings.closeTimeout());
        toStop.shutdownNow();
      }
    } catch (InterruptedException e) {
      toStop.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
