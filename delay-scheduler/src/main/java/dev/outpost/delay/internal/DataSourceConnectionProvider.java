package dev.outpost.delay.internal;

import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.quartz.utils.ConnectionProvider;

/**
 * Hands Quartz connections from the application's {@link DataSource}, so Quartz creates no pool of
 * its own. {@link #shutdown()} (called when Quartz's job store shuts down) only forgets the data
 * source; it never closes the application's pool. Thread-safe.
 */
final class DataSourceConnectionProvider implements ConnectionProvider {

  private volatile DataSource dataSource;

  DataSourceConnectionProvider(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  @Override
  public Connection getConnection() throws SQLException {
    DataSource current = dataSource;
    if (current == null) {
      throw new SQLException("the delay scheduler's Quartz scheduler is shut down");
    }
    return current.getConnection();
  }

  @Override
  public void shutdown() {
    dataSource = null;
  }

  @Override
  public void initialize() {}
}
