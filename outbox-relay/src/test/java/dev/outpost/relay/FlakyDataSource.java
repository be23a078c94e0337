package dev.outpost.relay;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/** A data source that refuses connections to threads whose name starts with a given prefix. */
final class FlakyDataSource implements DataSource {

  private final DataSource delegate;
  private volatile String refusedThreadPrefix;

  FlakyDataSource(DataSource delegate) {
    this.delegate = delegate;
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
    return delegate.getConnection();
  }

  @Override
  public Connection getConnection(String username, String password) throws SQLException {
    check();
    return delegate.getConnection(username, password);
  }

  @Override
  public PrintWriter getLogWriter() throws SQLException {
    return delegate.getLogWriter();
  }

  @Override
  public void setLogWriter(PrintWriter out) throws SQLException {
    delegate.setLogWriter(out);
  }

  @Override
  public void setLoginTimeout(int seconds) throws SQLException {
    delegate.setLoginTimeout(seconds);
  }

  @Override
  public int getLoginTimeout() throws SQLException {
    return delegate.getLoginTimeout();
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    return delegate.getParentLogger();
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    return delegate.unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return delegate.isWrapperFor(iface);
  }
}
