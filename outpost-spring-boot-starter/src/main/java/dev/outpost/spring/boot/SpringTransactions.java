package dev.outpost.spring.boot;

import java.sql.Connection;
import java.util.function.Function;
import javax.sql.DataSource;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.transaction.support.TransactionSynchronizationManager;

/**
 * Runs a library call on the connection of the current Spring-managed transaction, the one that
 * {@code @Transactional}, {@code TransactionTemplate}, {@code JdbcTemplate} and Boot's jOOQ {@code
 * DSLContext} use, and refuses to run outside a transaction.
 */
final class SpringTransactions {

  private final DataSource dataSource;

  SpringTransactions(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    this.dataSource = dataSource;
  }

  DataSource dataSource() {
    return dataSource;
  }

  /**
   * Calls {@code call} with the transaction-bound connection of the data source.
   *
   * @param operation what the caller does, for the error message ("SpringOutbox.send")
   * @param effect what would go wrong without a transaction, for the error message
   * @throws IllegalStateException when no Spring-managed transaction is active
   */
  <T> T inCurrentTransaction(String operation, String effect, Function<Connection, T> call) {
    if (!TransactionSynchronizationManager.isActualTransactionActive()) {
      throw new IllegalStateException(
          operation
              + " was called outside a Spring-managed transaction: "
              + effect
              + ". Call it from a @Transactional method (or inside TransactionTemplate.execute)"
              + " whose transaction manager manages Outpost's DataSource.");
    }
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      return call.apply(connection);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }
}
