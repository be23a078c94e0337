package dev.outpost.outbox;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Wraps a JDBC connection and records every statement execution on it, so a test can count the
 * round trips code under test makes.
 */
final class CountingConnection {

  private final List<String> executions = new CopyOnWriteArrayList<>();
  private final Connection connection;

  CountingConnection(Connection target) {
    this.connection =
        (Connection)
            Proxy.newProxyInstance(
                Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class},
                (proxy, method, args) -> {
                  Object result = invoke(target, method, args);
                  if (result instanceof Statement statement
                      && method.getName().equals("prepareStatement")) {
                    return wrap(statement, (String) args[0]);
                  }
                  return result;
                });
  }

  Connection connection() {
    return connection;
  }

  /** The SQL of each execute*() call, in order. */
  List<String> executions() {
    return executions;
  }

  private PreparedStatement wrap(Statement statement, String sql) {
    InvocationHandler handler =
        (proxy, method, args) -> {
          if (method.getName().startsWith("execute")) {
            executions.add(sql);
          }
          return invoke(statement, method, args);
        };
    return (PreparedStatement)
        Proxy.newProxyInstance(
            Connection.class.getClassLoader(), new Class<?>[] {PreparedStatement.class}, handler);
  }

  private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
