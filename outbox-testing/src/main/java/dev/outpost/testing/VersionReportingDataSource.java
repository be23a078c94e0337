package dev.outpost.testing;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * A data source whose connections report another database product and version in their metadata, as
 * an old or foreign server would, for tests that unsupported databases are refused before anything
 * is written. Every other call goes to the real connection.
 */
public final class VersionReportingDataSource extends DelegatingDataSource {
  private final String product;
  private final String version;

  /** Connections of {@code delegate} reporting {@code product} {@code version}. */
  public VersionReportingDataSource(DataSource delegate, String product, String version) {
    super(delegate);
    this.product = product;
    this.version = version;
  }

  @Override
  public Connection getConnection() throws SQLException {
    Connection real = super.getConnection();
    return (Connection)
        Proxy.newProxyInstance(
            VersionReportingDataSource.class.getClassLoader(),
            new Class<?>[] {Connection.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getMetaData")) {
                DatabaseMetaData meta = real.getMetaData();
                return Proxy.newProxyInstance(
                    VersionReportingDataSource.class.getClassLoader(),
                    new Class<?>[] {DatabaseMetaData.class},
                    (p, m, a) ->
                        switch (m.getName()) {
                          case "getDatabaseProductName" -> product;
                          case "getDatabaseProductVersion" -> version;
                          default -> invoke(m, meta, a);
                        });
              }
              return invoke(method, real, args);
            });
  }

  private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
    try {
      return method.invoke(target, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }
}
