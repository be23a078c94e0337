package dev.outpost.testing;

import javax.sql.DataSource;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * JUnit 5 extension giving tests the shared {@link TestDatabase} (or its {@link DataSource}) as a
 * constructor or method parameter, and emptying Outpost's tables before each test.
 *
 * <pre>{@code
 * @ExtendWith(OutpostDatabaseExtension.class)
 * class MyTest {
 *   @Test void works(TestDatabase db) { ... }
 * }
 * }</pre>
 */
public final class OutpostDatabaseExtension implements ParameterResolver, BeforeEachCallback {

  @Override
  public void beforeEach(ExtensionContext context) {
    OutpostPostgres.shared().truncateOutpostTables();
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestDatabase.class || type == DataSource.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestDatabase database = OutpostPostgres.shared();
    return parameter.getParameter().getType() == TestDatabase.class
        ? database
        : database.dataSource();
  }
}
