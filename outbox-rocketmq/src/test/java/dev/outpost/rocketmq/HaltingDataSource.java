package dev.outpost.rocketmq;

import dev.outpost.testing.DelegatingDataSource;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Halts the JVM right after the first successful {@code commit()}, as a SIGKILL would: the crash
 * point "after the database commit, before the consume status reaches the broker".
 */
final class HaltingDataSource extends DelegatingDataSource {

  static final int CRASH_EXIT_CODE = 137;

  HaltingDataSource(DataSource delegate) {
    super(delegate);
  }

  @Override
  public Connection getConnection() throws SQLException {
    return wrap(super.getConnection());
  }

  private static Connection wrap(Connection connection) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          try {
            Object result = method.invoke(connection, args);
            if (method.getName().equals("commit")) {
              System.out.println("CRASH POINT: database committed, halting before the ack");
              System.out.flush();
              Runtime.getRuntime().halt(CRASH_EXIT_CODE);
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
