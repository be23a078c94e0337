package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.relay.DestinationUnavailableException;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayConfig;
import dev.outpost.relay.RelayMessage;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.sql.DataSource;

/**
 * Processes one batch of one partition: reads the head window, publishes it, and records the
 * outcome (delete confirmed, reschedule failed, dead-letter exhausted or rejected) in one
 * transaction guarded by the lease. No connection is held while the publisher works. Thread-safe;
 * the caller makes sure one partition has one batch at a time.
 */
final class PartitionWorker {

  /**
   * What one batch did.
   *
   * @param unavailable why the destination was unavailable (some rows were left as they were), or
   *     null
   */
  record BatchResult(
      int claimed,
      int confirmed,
      boolean fullWindow,
      Instant nextRetryAt,
      boolean leaseLost,
      Throwable unavailable) {
    static final BatchResult EMPTY = new BatchResult(0, 0, false, null, false, null);
  }

  /** Longest probe after a batch timed out as a whole. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(5);

  private final RelayConfig config;
  private final DataSource dataSource;
  private final Publisher publisher;
  private final Clock clock;
  private final RelayOutboxRepository outbox;
  private final Backoff backoff;
  private final PublishPacer pacer;
  private final RelayMetrics metrics;
  private final OutcomeLog outcomeLog;
  private final int limit;

  PartitionWorker(
      RelayConfig config,
      DataSource dataSource,
      Publisher publisher,
      Clock clock,
      RelayOutboxRepository outbox,
      Backoff backoff,
      RelayMetrics metrics,
      OutcomeLog outcomeLog) {
    this.config = config;
    this.dataSource = dataSource;
    this.publisher = publisher;
    this.clock = clock;
    this.outbox = outbox;
    this.backoff = backoff;
    this.metrics = metrics;
    this.outcomeLog = outcomeLog;
    int rate = config.batch().rateLimitPerSecond();
    this.pacer = rate == 0 ? null : new PublishPacer(rate);
    this.limit = PublishPacer.batchLimit(config.batchSize(), rate);
  }

  /**
   * One batch of {@code lease}'s partition; a probe batch holds only the head message.
   *
   * @throws InterruptedException if interrupted while pacing or awaiting the publisher; the
   *     window's rows are then left as they were (published again later)
   */
  BatchResult process(LeaseToken lease, boolean probe) throws SQLException, InterruptedException {
    Instant claimedAt = clock.instant();
    int rows = probe ? 1 : limit;
    List<RelayMessage> window;
    try (Connection c = dataSource.getConnection()) {
      window =
          outbox.claimWindow(c, lease.partition(), claimedAt, rows, config.batch().maxBatchBytes());
    }
    if (window.isEmpty()) {
      return BatchResult.EMPTY;
    }
    if (pacer != null) {
      pacer.acquire(window.size());
    }
    long started = System.nanoTime();
    List<PublishResult> results = publish(window);
    // The outcome time, not the claim time: backoff counts from when the failure was known.
    Instant decidedAt = clock.instant();
    BatchPlan plan = BatchPlan.of(window, results, decidedAt, backoff, config.maxAttempts());
    boolean applied = nothingToApply(plan) || apply(lease, plan, decidedAt);
    metrics.batch(Duration.ofNanos(System.nanoTime() - started));
    if (!applied) {
      return new BatchResult(window.size(), 0, false, null, true, plan.unavailable());
    }
    report(plan, decidedAt);
    return new BatchResult(
        window.size(),
        plan.confirmedIds().length,
        window.size() == rows && plan.unavailable() == null,
        plan.nextRetryAt(),
        false,
        plan.unavailable());
  }

  private static boolean nothingToApply(BatchPlan plan) {
    return plan.confirmedIds().length == 0
        && plan.retries().isEmpty()
        && plan.deadLetters().isEmpty();
  }

  private List<PublishResult> publish(List<RelayMessage> window) throws InterruptedException {
    List<RelayMessage> batch = Collections.unmodifiableList(window);
    CompletableFuture<List<PublishResult>> outcome;
    try {
      outcome = publisher.publish(batch, config.publishTimeout()).toCompletableFuture();
    } catch (RuntimeException e) {
      return allFailed(window.size(), e);
    }
    List<PublishResult> results;
    try {
      results = outcome.get(config.publishTimeout().toNanos(), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      outcome.cancel(true);
      TimeoutException timeout =
          new TimeoutException(
              "no publish outcome within publishTimeout "
                  + config.publishTimeout()
                  + "; counted as not confirmed");
      // The whole batch timed out: the destination's outage if it does not answer a probe.
      if (probeSaysUnavailable()) {
        return allUnavailable(
            window.size(),
            new DestinationUnavailableException(
                "no publish outcome within publishTimeout "
                    + config.publishTimeout()
                    + " and the publisher's probe gets no answer",
                timeout));
      }
      return allFailed(window.size(), timeout);
    } catch (ExecutionException e) {
      return allFailed(window.size(), e.getCause() == null ? e : e.getCause());
    } catch (InterruptedException e) {
      outcome.cancel(true);
      throw e;
    }
    if (results == null || results.size() != window.size() || hasNull(results)) {
      String got =
          results == null
              ? "null"
              : results.size() != window.size() ? results.size() + " results" : "a null result";
      return allFailed(
          window.size(),
          new IllegalStateException(
              "publisher "
                  + publisher.getClass().getName()
                  + " returned "
                  + got
                  + " for "
                  + window.size()
                  + " messages; it must return one non-null result per message, in order"));
    }
    return results;
  }

  private boolean probeSaysUnavailable() {
    try {
      return publisher.probe(PROBE_TIMEOUT) == Publisher.Availability.UNAVAILABLE;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static List<PublishResult> allUnavailable(int size, Throwable cause) {
    List<PublishResult> results = new ArrayList<>(size);
    PublishResult unavailable = PublishResult.unavailable(cause);
    for (int i = 0; i < size; i++) {
      results.add(unavailable);
    }
    return results;
  }

  private static List<PublishResult> allFailed(int size, Throwable cause) {
    List<PublishResult> results = new ArrayList<>(size);
    PublishResult failed = PublishResult.failed(cause);
    for (int i = 0; i < size; i++) {
      results.add(failed);
    }
    return results;
  }

  /** Records the plan in one transaction; false (and nothing changed) if the lease is gone. */
  private boolean apply(LeaseToken lease, BatchPlan plan, Instant now) throws SQLException {
    if (outbox.dialect() == Dialect.POSTGRESQL
        && plan.retries().isEmpty()
        && plan.deadLetters().isEmpty()) {
      // Only PostgreSQL's delete is one lease-guarded statement; MySQL's takes a share lock on the
      // lease row first and needs the transaction to hold it (the fence) until the delete is done.
      return deleteOnly(lease, plan.confirmedIds());
    }
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      if (outbox.dialect() == Dialect.MYSQL) {
        // Record locks only (no gap locks next to the writers' inserts); the pool restores the
        // connection's level when it is returned.
        c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      }
      c.setAutoCommit(false);
      try {
        boolean held = true;
        if (plan.confirmedIds().length > 0) {
          held = outbox.deleteConfirmed(c, lease, plan.confirmedIds()) > 0;
        }
        if (held && !plan.retries().isEmpty()) {
          held = outbox.reschedule(c, lease, plan.retries()) > 0;
        }
        if (held && !plan.deadLetters().isEmpty()) {
          held = outbox.moveToDeadLetter(c, lease, plan.deadLetters(), now) > 0;
        }
        if (held) {
          c.commit();
        } else {
          c.rollback();
        }
        return held;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  /**
   * The common outcome on PostgreSQL, every message confirmed: one lease-guarded statement, atomic
   * on its own, so it runs in auto-commit. An explicit transaction would add a BEGIN and a COMMIT
   * round trip to every batch (a third of the relay's round trips while draining a backlog).
   */
  private boolean deleteOnly(LeaseToken lease, long[] ids) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        // A pool handing out connections in manual-commit mode: keep the one-transaction rule.
        try {
          boolean held = outbox.deleteConfirmed(c, lease, ids) > 0;
          if (held) {
            c.commit();
          } else {
            c.rollback();
          }
          return held;
        } catch (SQLException | RuntimeException e) {
          c.rollback();
          throw e;
        }
      }
      return outbox.deleteConfirmed(c, lease, ids) > 0;
    }
  }

  private void report(BatchPlan plan, Instant now) {
    for (Map.Entry<String, Integer> e : plan.deadLettered().entrySet()) {
      outcomeLog.deadLettered(
          e.getKey(), e.getValue(), plan.deadLetterErrors().get(e.getKey()), now);
    }
    for (Map.Entry<String, Integer> e : plan.recovered().entrySet()) {
      outcomeLog.recovered(e.getKey(), e.getValue(), now);
    }
    if (!metrics.enabled()) {
      return;
    }
    for (Map.Entry<String, Integer> e : plan.recovered().entrySet()) {
      metrics.recovered(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Integer> e : plan.published().entrySet()) {
      metrics.published(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Integer> e : plan.failed().entrySet()) {
      metrics.failed(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Integer> e : plan.deadLettered().entrySet()) {
      metrics.deadLettered(e.getKey(), e.getValue());
    }
  }

  // Not results.contains(null): immutable lists (List.of, List.copyOf) throw on a null query.
  private static boolean hasNull(List<PublishResult> results) {
    for (PublishResult result : results) {
      if (result == null) {
        return true;
      }
    }
    return false;
  }
}
