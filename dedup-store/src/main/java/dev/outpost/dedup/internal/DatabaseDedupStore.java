package dev.outpost.dedup.internal;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupException;
import dev.outpost.dedup.DedupStore;
import dev.outpost.dedup.ProcessOutcome;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/** {@link DedupStore} on the {@code dedup_key} table: one transaction per call. Thread-safe. */
public final class DatabaseDedupStore implements DedupStore<Connection> {

  private final DataSource dataSource;
  private final Dedup dedup;

  /** A store on {@code dataSource} recording keys through {@code dedup}. */
  public DatabaseDedupStore(DataSource dataSource, Dedup dedup) {
    this.dataSource = dataSource;
    this.dedup = dedup;
  }

  @Override
  public ProcessOutcome processOnce(String consumer, UUID messageId, Work<Connection> work) {
    Identifiers.requireConsumer(consumer);
    Identifiers.requireMessageId(messageId);
    Identifiers.require("work", work);
    DedupTransactions transactions = new DedupTransactions(dataSource, dedup, consumer);
    try {
      boolean ran = transactions.processOnce(messageId, tx -> run(work, tx, consumer, messageId));
      return ran ? ProcessOutcome.PROCESSED : ProcessOutcome.DUPLICATE;
    } catch (DedupTransactions.WorkFailedException e) {
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw new DedupException(
            "the work of consumer '"
                + consumer
                + "' for message "
                + messageId
                + " failed: "
                + sql.getMessage()
                + " (SQLSTATE "
                + sql.getSQLState()
                + "); the transaction was rolled back",
            consumer,
            messageId,
            sql);
      }
      throw (RuntimeException) cause;
    }
  }

  @Override
  public DedupCounts counts(String consumer) {
    return dedup.counts(consumer);
  }

  @Override
  public String toString() {
    return "DedupStore.database[" + dedup + "]";
  }

  private static void run(Work<Connection> work, Connection tx, String consumer, UUID messageId)
      throws SQLException {
    try {
      work.run(tx);
    } catch (SQLException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new DedupException(
          "the work of consumer '"
              + consumer
              + "' for message "
              + messageId
              + " failed: "
              + e
              + "; the transaction was rolled back",
          consumer,
          messageId,
          e);
    }
  }
}
