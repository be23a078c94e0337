package dev.outpost.dedup.internal;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupException;
import dev.outpost.outbox.OutpostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.jooq.tools.jdbc.JDBCUtils;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs {@code processOnce} in a transaction of its own, as the consumer helpers do. */
public final class DedupTransactions {

  static {
    QuietJooq.apply(); // before the first statement is rendered
  }

  private static final Logger log = LoggerFactory.getLogger(DedupTransactions.class);

  /** Work on the transaction's connection. */
  @FunctionalInterface
  public interface TxWork {
    /** Does the business work on {@code tx}. */
    void run(Connection tx) throws SQLException;
  }

  /**
   * The business work (the handler) threw; the cause is its exception. Anything else that {@link
   * #processOnce} throws is a database failure, which says nothing about the message.
   */
  public static final class WorkFailedException extends OutpostException {
    private static final long serialVersionUID = 1L;

    WorkFailedException(Throwable cause) {
      super(String.valueOf(cause.getMessage()), cause);
    }
  }

  private final DataSource dataSource;
  private final Dedup dedup;
  private final String consumer;

  /** Transactions on {@code dataSource} recording keys of {@code consumer} in {@code dedup}. */
  public DedupTransactions(DataSource dataSource, Dedup dedup, String consumer) {
    this.dataSource = dataSource;
    this.dedup = dedup;
    this.consumer = consumer;
  }

  /**
   * Opens a transaction, runs {@code work} through {@code processOnce} and commits; rolls back when
   * anything throws.
   *
   * @return {@code true} when the work ran, {@code false} for a duplicate
   * @throws WorkFailedException when the work threw
   * @throws DedupException when the database fails
   */
  public boolean processOnce(UUID messageId, TxWork work) {
    try (Connection tx = dataSource.getConnection()) {
      boolean autoCommit = tx.getAutoCommit();
      if (autoCommit) {
        tx.setAutoCommit(false);
      }
      try {
        boolean ran = dedup.processOnce(tx, consumer, messageId, () -> runWork(work, tx));
        tx.commit();
        return ran;
      } catch (RuntimeException | SQLException | Error e) {
        rollback(tx, e);
        throw e;
      } finally {
        if (autoCommit) {
          tx.setAutoCommit(true);
        }
      }
    } catch (SQLException e) {
      throw new DedupException(
          "transaction of consumer '"
              + consumer
              + "' for message "
              + messageId
              + " failed: "
              + Causes.describe(e)
              + " (SQLSTATE "
              + e.getSQLState()
              + "); the message will be delivered again",
          consumer,
          messageId,
          e);
    }
  }

  /** A jOOQ context on the transaction's connection, for handlers that take a DSLContext. */
  public static DSLContext jooq(Connection tx) {
    return DSL.using(tx, JDBCUtils.dialect(tx));
  }

  private static void runWork(TxWork work, Connection tx) {
    try {
      work.run(tx);
    } catch (SQLException | RuntimeException e) {
      throw new WorkFailedException(e);
    }
  }

  private void rollback(Connection tx, Throwable cause) {
    try {
      tx.rollback();
    } catch (SQLException e) {
      cause.addSuppressed(e);
      log.debug("rollback after a failed delivery of consumer '{}' failed too", consumer, e);
    }
  }
}
