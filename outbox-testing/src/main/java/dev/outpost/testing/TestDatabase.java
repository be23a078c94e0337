package dev.outpost.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.migrations.OutpostMigrations;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * A real, migrated database for tests (PostgreSQL, or MariaDB/MySQL): its JDBC coordinates, its
 * {@link Dialect}, a pooled {@link DataSource}, and a cheap way to empty Outpost's tables between
 * tests.
 *
 * <p>Obtain the shared one with {@link OutpostPostgres#shared()}, which picks the database named by
 * the system property {@value OutpostPostgres#DATABASE_PROPERTY}; it lives as long as the test JVM.
 * Thread-safe.
 */
public final class TestDatabase {

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final String schema;
  private final String source;
  private final Dialect dialect;
  private final HikariDataSource dataSource;

  TestDatabase(String jdbcUrl, String user, String password, String schema, String source) {
    this(Dialect.POSTGRESQL, jdbcUrl, user, password, schema, source);
  }

  TestDatabase(
      Dialect dialect, String jdbcUrl, String user, String password, String schema, String source) {
    this.dialect = dialect;
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.schema = schema;
    this.source = source;
    this.dataSource = newDataSource(16, "outpost-test");
  }

  /** The database's dialect. */
  public Dialect dialect() {
    return dialect;
  }

  /** Whether the database is PostgreSQL (not MariaDB/MySQL). */
  public boolean isPostgres() {
    return dialect == Dialect.POSTGRESQL;
  }

  /** The JDBC URL of the database. */
  public String jdbcUrl() {
    return jdbcUrl;
  }

  /** The user tests connect as. */
  public String user() {
    return user;
  }

  /** The password of {@link #user()} (may be empty). */
  public String password() {
    return password;
  }

  /** The schema Outpost's tables were migrated into. */
  public String schema() {
    return schema;
  }

  /** Where the database came from: {@code env}, {@code testcontainers} or {@code embedded}. */
  public String source() {
    return source;
  }

  /** A pooled data source shared by the whole test JVM; do not close it. */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * A new pool of its own, for code under test that must own its connections (a relay whose
   * sessions a test terminates, say). The caller closes it.
   */
  public HikariDataSource newDataSource(int maximumPoolSize, String poolName) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(maximumPoolSize);
    config.setMinimumIdle(0);
    config.setPoolName(poolName);
    config.setConnectionTimeout(10_000);
    config.setInitializationFailTimeout(-1);
    return new HikariDataSource(config);
  }

  /** Migrates the database into another schema (created when missing), for schema tests. */
  public void migrateSchema(String otherSchema) {
    OutpostMigrations.builder().dataSource(dataSource).schema(otherSchema).build().migrate();
  }

  /**
   * Empties Outpost's tables (outbox, dead letters, delayed messages, dedup keys, leases,
   * instances) in {@link #schema()} and restarts their identities. Quartz's tables are left alone.
   */
  public void truncateOutpostTables() {
    if (dialect == Dialect.MYSQL) {
      // One table per TRUNCATE on MySQL; it also resets AUTO_INCREMENT.
      for (String table :
          new String[] {
            OutpostTableNames.OUTBOX_MESSAGE,
            OutpostTableNames.OUTBOX_DEAD_LETTER,
            OutpostTableNames.DELAYED_MESSAGE,
            OutpostTableNames.DEDUP_KEY,
            OutpostTableNames.RELAY_LEASE,
            OutpostTableNames.RELAY_INSTANCE
          }) {
        execute("TRUNCATE TABLE " + qualified(table));
      }
      return;
    }
    execute(
        "TRUNCATE "
            + String.join(
                ", ",
                qualified(OutpostTableNames.OUTBOX_MESSAGE),
                qualified(OutpostTableNames.OUTBOX_DEAD_LETTER),
                qualified(OutpostTableNames.DELAYED_MESSAGE),
                qualified(OutpostTableNames.DEDUP_KEY),
                qualified(OutpostTableNames.RELAY_LEASE),
                qualified(OutpostTableNames.RELAY_INSTANCE))
            + " RESTART IDENTITY");
  }

  /** Runs one SQL statement on its own auto-commit connection (test setup, business tables). */
  public void execute(String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql + ": " + describe(e), e);
    }
  }

  /** Runs a {@code SELECT count(*)}-style query and returns its single long value. */
  public long queryLong(String sql) {
    try (Connection connection = dataSource.getConnection();
        Statement statement = connection.createStatement();
        var rs = statement.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("test SQL failed: " + sql + ": " + describe(e), e);
    }
  }

  /** {@code table} in {@link #schema()}, quoted for the dialect. */
  public String qualified(String table) {
    return dialect.qualify(schema, table);
  }

  /** {@code identifier} quoted for the dialect. */
  public String quote(String identifier) {
    return dialect.quote(identifier);
  }

  void close() {
    dataSource.close();
  }

  /** The message and, when it hides it (HikariCP's timeout does), the root cause. */
  static String describe(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = String.valueOf(e.getMessage());
    return root == e || message.contains(String.valueOf(root.getMessage()))
        ? message
        : message + " (cause: " + root + ")";
  }
}
