package dev.outpost.delay.internal;

import dev.outpost.delay.SweepResult;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.Causes;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves due messages into the outbox: one sweep reads the clock once and repeats the move
 * statement, each batch in its own transaction, until a batch comes back smaller than the batch
 * size. All time logic lives here, not in the Quartz job, so tests drive it with a mutable clock.
 * Thread-safe; sweeps of one instance never overlap.
 */
final class Sweeper {

  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  private final DataSource dataSource;
  private final DelayedRepositories repositories;
  private final Clock clock;
  private final int batchSize;
  private final DelayMetrics metrics;
  private final Runnable afterMove;
  private final ReentrantLock sweeping = new ReentrantLock();
  private final AtomicLong consecutiveFailures = new AtomicLong();
  private volatile boolean closed;

  /**
   * A sweeper moving batches of {@code batchSize} rows through {@code repositories}; {@code
   * afterMove} runs after each committed batch that put messages into the outbox (the in-JVM nudge
   * of a polling relay) and must not throw.
   */
  Sweeper(
      DataSource dataSource,
      DelayedRepositories repositories,
      Clock clock,
      int batchSize,
      DelayMetrics metrics,
      Runnable afterMove) {
    this.dataSource = dataSource;
    this.repositories = repositories;
    this.clock = clock;
    this.batchSize = batchSize;
    this.metrics = metrics;
    this.afterMove = afterMove;
  }

  /**
   * Sweeps now: moves everything due at the clock's current time.
   *
   * @throws OutpostException if the database fails (committed batches stay moved)
   * @throws IllegalStateException after {@link #close}
   */
  SweepResult sweepOnce() {
    sweeping.lock();
    try {
      if (closed) {
        throw new IllegalStateException("the delay scheduler is closed; no more sweeps");
      }
      return sweep(truncateToMicros(clock.instant()));
    } finally {
      sweeping.unlock();
    }
  }

  /**
   * The earliest due time of a committed pending message, or null when none is pending.
   *
   * @throws OutpostException if the database fails
   */
  Instant nextDue() {
    try (Connection connection = dataSource.getConnection()) {
      OffsetDateTime next = repositories.of(connection).nextDue(connection);
      return next == null ? null : next.toInstant();
    } catch (SQLException e) {
      throw new OutpostException(
          "could not read the next due time: " + e.getMessage() + ". Check the database.", e);
    }
  }

  /**
   * The entry of the Quartz job and of the in-node wake timer: a failure is logged and counted, the
   * next fire tries again.
   *
   * @return what the sweep did; {@link SweepResult#NOTHING_DUE} after a failure or close
   */
  SweepResult sweepInBackground() {
    if (closed) {
      return SweepResult.NOTHING_DUE;
    }
    try {
      SweepResult result = sweepOnce();
      if (result.moved() > 0) {
        log.debug("moved {} due message(s) into the outbox", result.moved());
      }
      long failures = consecutiveFailures.getAndSet(0);
      if (failures > 0) {
        log.info("delayed-message sweeps work again after {} failed sweep(s)", failures);
      }
      return result;
    } catch (RuntimeException e) {
      if (closed) {
        log.debug("sweep ended by close", e);
        return SweepResult.NOTHING_DUE;
      }
      metrics.sweepFailed();
      // A database outage fails every sweep (several per second): log the first failure and
      // then every hundredth, not each one.
      long failures = consecutiveFailures.incrementAndGet();
      if (failures == 1 || failures % 100 == 0) {
        log.warn(
            "delayed-message sweep failed ({} in a row); the next sweep retries: {}",
            failures,
            e.toString(),
            e);
      } else {
        log.debug("delayed-message sweep failed ({} in a row)", failures, e);
      }
      return SweepResult.NOTHING_DUE;
    }
  }

  /**
   * Stops sweeping after the current batch and waits up to {@code timeout} for an in-flight sweep.
   *
   * @return whether no sweep was running any more when it returned
   */
  boolean close(Duration timeout) {
    closed = true;
    try {
      if (sweeping.tryLock(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        sweeping.unlock();
        return true;
      }
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private SweepResult sweep(OffsetDateTime now) {
    long moved = 0;
    long duplicates = 0;
    int batches = 0;
    Duration maxLateness = Duration.ZERO;
    try (Connection connection = dataSource.getConnection()) {
      DelayedRepository repository = repositories.of(connection);
      boolean autoCommit = connection.getAutoCommit();
      int isolation = -1;
      if (repository.sweepsReadCommitted()) {
        isolation = connection.getTransactionIsolation();
        connection.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      connection.setAutoCommit(false);
      try {
        while (!closed) {
          DelayedRepository.MovedBatch batch = moveOneBatch(repository, connection, now);
          if (batch == null) {
            break;
          }
          batches++;
          if (batch.inserted() > 0) {
            afterMove.run();
          }
          moved += batch.inserted();
          duplicates += batch.removed() - batch.inserted();
          Duration lateness = lateness(batch);
          if (lateness.compareTo(maxLateness) > 0) {
            maxLateness = lateness;
          }
          metrics.batchMoved(batch.inserted(), batch.removed() - batch.inserted(), lateness);
          if (batch.removed() > batch.inserted()) {
            log.warn(
                "dropped {} due message(s) whose message id was already in the outbox",
                batch.removed() - batch.inserted());
          }
          if (batch.removed() < batchSize) {
            break;
          }
        }
      } finally {
        restore(connection, autoCommit, isolation);
      }
    } catch (SQLException e) {
      throw new OutpostException(
          "could not sweep delayed messages: " + Causes.describe(e) + ". Check the database.", e);
    }
    return batches == 0
        ? SweepResult.NOTHING_DUE
        : new SweepResult(moved, duplicates, batches, maxLateness);
  }

  /** One transaction: probe, lock, move. Null when nothing was due. */
  private DelayedRepository.MovedBatch moveOneBatch(
      DelayedRepository repository, Connection connection, OffsetDateTime now) throws SQLException {
    try {
      if (!repository.anyDue(connection, now)) {
        connection.commit();
        return null;
      }
      DelayedRepository.MovedBatch batch;
      try {
        repository.lockMoves(connection);
        try {
          batch = repository.moveDue(connection, now, batchSize, false);
        } catch (DelayedRepository.DuplicateMessageId e) {
          // Rare: someone scheduled a message whose id is already in the outbox. The statement
          // failed; the same batch again drops such rows instead of failing. The rollback ends
          // PostgreSQL's transaction-scoped lock, so take it again.
          connection.rollback();
          repository.lockMoves(connection);
          batch = repository.moveDue(connection, now, batchSize, true);
        }
        connection.commit();
      } catch (RuntimeException | SQLException e) {
        rollbackQuietly(connection, e);
        throw e;
      } finally {
        repository.unlockMoves(connection);
      }
      // Another node moved them between the probe and the lock.
      return batch.removed() == 0 ? null : batch;
    } catch (RuntimeException | SQLException e) {
      rollbackQuietly(connection, e);
      throw e;
    }
  }

  private Duration lateness(DelayedRepository.MovedBatch batch) {
    if (batch.oldestDueAt() == null) {
      return Duration.ZERO;
    }
    Duration lateness = Duration.between(batch.oldestDueAt().toInstant(), clock.instant());
    return lateness.isNegative() ? Duration.ZERO : lateness;
  }

  private static void rollbackQuietly(Connection connection, Exception cause) {
    try {
      connection.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
    }
  }

  private static void restore(Connection connection, boolean autoCommit, int isolation) {
    try {
      connection.setAutoCommit(autoCommit);
      if (isolation != -1) {
        connection.setTransactionIsolation(isolation);
      }
    } catch (SQLException e) {
      log.debug("could not restore auto-commit/isolation of a sweep connection", e);
    }
  }

  /**
   * PostgreSQL keeps microseconds and would round a finer cutoff up, which could move a message up
   * to half a microsecond early; truncating keeps the cutoff at or before the clock.
   */
  static OffsetDateTime truncateToMicros(Instant instant) {
    return instant.truncatedTo(ChronoUnit.MICROS).atOffset(ZoneOffset.UTC);
  }
}
