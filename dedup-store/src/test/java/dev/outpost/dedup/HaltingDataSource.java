package dev.outpost.dedup;

import dev.outpost.testing.DelegatingDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Wraps a data source so that the first successful {@code commit()} halts the JVM at once, as a
 * SIGKILL would: the crash point "after the database commit, before the offset commit / ack".
 */
final class HaltingDataSource extends DelegatingDataSource {

  HaltingDataSource(DataSource delegate) {
    super(delegate);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(super.getConnection());
  }

  @Override
  public Connection getConnection(String user, String password) throws SQLException {
    return wrap(super.getConnection(user, password));
  }

  private static Connection wrap(Connection connection) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          try {
            Object result = method.invoke(connection, args);
            if (method.getName().equals("commit")) {
              System.out.println("CRASH POINT: database committed, halting before ack/offset");
              System.out.flush();
              Runtime.getRuntime().halt(ChildJvm.CRASH_EXIT_CODE);
            }
            return result;
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        };
    return (Connection)
        Proxy.newProxyInstance(
            HaltingDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
  }
}
