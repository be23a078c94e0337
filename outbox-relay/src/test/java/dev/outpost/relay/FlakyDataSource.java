package dev.outpost.relay;

import dev.outpost.testing.DelegatingDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/** A data source that refuses connections to threads whose name starts with a given prefix. */
final class FlakyDataSource extends DelegatingDataSource {

  private volatile String refusedThreadPrefix;

  FlakyDataSource(DataSource delegate) {
    super(delegate);
  }

  void refuseThreads(String prefix) {
    this.refusedThreadPrefix = prefix;
  }

  void acceptAll() {
    this.refusedThreadPrefix = null;
  }

  private void check() throws SQLException {
    String prefix = refusedThreadPrefix;
    if (prefix != null && Thread.currentThread().getName().startsWith(prefix)) {
      throw new SQLException("connection refused by the test", "08001");
    }
  }

  @Override
  public Connection getConnection() throws SQLException {
    check();
    return super.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    check();
    return super.getConnection(username, password);
  }
}
