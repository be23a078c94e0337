package dev.outpost.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.internal.Causes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The app's connection pool, its migrations, and the one helper every business transaction uses.
 */
final class AppDatabase implements AutoCloseable {

  /** Where the app's own migrations live; they get their own Flyway history table. */
  static final String APP_MIGRATIONS = "classpath:db/migration/example";

  /** The items the shop sells; seeded into an empty stock table. */
  static final List<String> ITEMS = List.of("apple", "banana", "cherry", "kiwi", "plum");

  private final EmbeddedDatabase embedded;
  private final HikariDataSource dataSource;
  private final String schema;

  private AppDatabase(EmbeddedDatabase embedded, HikariDataSource dataSource, String schema) {
    this.embedded = embedded;
    this.dataSource = dataSource;
    this.schema = schema;
  }

  /** Connects to {@code --jdbc-url} (or starts an embedded PostgreSQL) and migrates it. */
  static AppDatabase open(AppConfig config) {
    EmbeddedDatabase embedded = config.jdbcUrl() == null ? EmbeddedDatabase.start() : null;
    String url = embedded == null ? config.jdbcUrl() : embedded.jdbcUrl();
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(url);
    pool.setUsername(config.jdbcUser());
    pool.setPassword(config.jdbcPassword());
    pool.setSchema(config.schema());
    pool.setMaximumPoolSize(24);
    pool.setPoolName("example");
    pool.setConnectionTimeout(10_000);
    HikariDataSource dataSource;
    try {
      dataSource = new HikariDataSource(pool);
    } catch (RuntimeException e) {
      if (embedded != null) {
        embedded.close();
      }
      throw new IllegalStateException(
          "cannot connect to PostgreSQL at " + url + ": " + Causes.describe(e), e);
    }
    AppDatabase database = new AppDatabase(embedded, dataSource, config.schema());
    database.migrate();
    return database;
  }

  private void migrate() {
    OutpostMigrations.builder().dataSource(dataSource).schema(schema).build().migrate();
    Flyway.configure(AppDatabase.class.getClassLoader())
        .dataSource(dataSource)
        .locations(APP_MIGRATIONS)
        .schemas(schema)
        .defaultSchema(schema)
        .table("example_schema_history")
        // Outpost's tables are already in the schema: start the app's own history at 0.
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }

  /** Puts {@code units} of every item on the shelf, unless the item is already stocked. */
  void seedStock(int units) {
    inTransaction(
        tx -> {
          try (PreparedStatement insert =
              tx.prepareStatement(
                  "INSERT INTO stock (item, initial, available) VALUES (?, ?, ?)"
                      + " ON CONFLICT (item) DO NOTHING")) {
            for (String item : ITEMS) {
              insert.setString(1, item);
              insert.setInt(2, units);
              insert.setInt(3, units);
              insert.addBatch();
            }
            insert.executeBatch();
          }
          return null;
        });
  }

  DataSource dataSource() {
    return dataSource;
  }

  String schema() {
    return schema;
  }

  /** A unit of work on one connection inside one transaction. */
  @FunctionalInterface
  interface TxWork<T> {
    T run(Connection tx) throws SQLException;
  }

  /**
   * Runs {@code work} in one transaction: commit when it returns, roll back when it throws. A
   * deadlock or serialization failure (PostgreSQL aborted the transaction, nothing was kept) is
   * retried a few times.
   */
  <T> T inTransaction(TxWork<T> work) {
    for (int attempt = 1; ; attempt++) {
      try (Connection tx = dataSource.getConnection()) {
        tx.setAutoCommit(false);
        try {
          T result = work.run(tx);
          tx.commit();
          return result;
        } catch (SQLException | RuntimeException e) {
          tx.rollback();
          throw e;
        }
      } catch (SQLException e) {
        boolean retryable = "40001".equals(e.getSQLState()) || "40P01".equals(e.getSQLState());
        if (!retryable || attempt >= 5) {
          throw new IllegalStateException("database error: " + Causes.describe(e), e);
        }
      }
    }
  }

  @Override
  public void close() {
    dataSource.close();
    if (embedded != null) {
      embedded.close();
    }
  }
}
