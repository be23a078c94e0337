package dev.outpost.examples;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.common.Dialect;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.internal.Causes;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;

/**
 * The app's connection pool, its migrations, its tables' repositories (for the database's dialect)
 * and the one helper every business transaction uses.
 */
final class AppDatabase implements AutoCloseable {

  /**
   * Where the app's own PostgreSQL migrations live; they get their own Flyway history table. The
   * MySQL/MariaDB form is the sibling {@link #APP_MIGRATIONS_MYSQL}.
   */
  static final String APP_MIGRATIONS = "classpath:db/migration/example/postgresql";

  /** Where the app's own MySQL/MariaDB migrations live. */
  static final String APP_MIGRATIONS_MYSQL = "classpath:db/migration/example/mysql";

  /** The items the shop sells; seeded into an empty stock table. */
  static final List<String> ITEMS = List.of("apple", "banana", "cherry", "kiwi", "plum");

  private final EmbeddedDatabase embedded;
  private final HikariDataSource dataSource;
  private final String schema;
  private final Dialect dialect;
  private final OrderRepository orders;
  private final StockRepository stock;
  private final NoticeRepository notices;

  private AppDatabase(
      EmbeddedDatabase embedded, HikariDataSource dataSource, String schema, Dialect dialect) {
    this.embedded = embedded;
    this.dataSource = dataSource;
    this.schema = schema;
    this.dialect = dialect;
    this.orders = new OrderRepository(dialect);
    this.stock = new StockRepository(dialect);
    this.notices = new NoticeRepository(dialect);
  }

  /**
   * Connects to {@code --jdbc-url} (or starts an embedded PostgreSQL) and migrates it.
   *
   * @throws dev.outpost.common.UnsupportedDatabaseException for a database or version Outpost does
   *     not run on, naming the version found and needed
   */
  static AppDatabase open(AppConfig config) {
    EmbeddedDatabase embedded = config.jdbcUrl() == null ? EmbeddedDatabase.start() : null;
    String url = embedded == null ? AppConfig.driverUrl(config.jdbcUrl()) : embedded.jdbcUrl();
    boolean mysql = AppConfig.isMysqlUrl(url);
    String product = mysql ? "MySQL/MariaDB" : "PostgreSQL";
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(url);
    pool.setUsername(config.jdbcUser());
    pool.setPassword(config.jdbcPassword());
    if (mysql) {
      createUrlDatabase(url, config);
      // A MySQL "schema" is a database: unqualified names resolve in the connection's catalog.
      if (!OutpostMigrations.DEFAULT_SCHEMA.equals(config.schema())) {
        createDatabase(url, config);
        pool.setCatalog(config.schema());
      }
      // MySQL's default REPEATABLE READ takes gap and next-key locks on the rows an INSERT ...
      // SELECT reads; READ COMMITTED is what Outpost is tested with (PostgreSQL's default too).
      pool.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
    } else {
      pool.setSchema(config.schema());
    }
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
      throw new DatabaseUnavailableException(
          "cannot connect to "
              + product
              + " at "
              + url
              + ": "
              + Causes.describe(e)
              + "; check --jdbc-url, --jdbc-user and --jdbc-password",
          e);
    }
    try {
      AppDatabase database =
          new AppDatabase(embedded, dataSource, config.schema(), Dialect.detect(dataSource));
      database.migrate();
      return database;
    } catch (RuntimeException e) {
      dataSource.close();
      if (embedded != null) {
        embedded.close();
      }
      throw e;
    }
  }

  /**
   * Creates the MySQL/MariaDB database the URL names ({@code jdbc:mariadb://host:3306/shop}) when
   * it does not exist yet, so the app runs on a fresh server in one command. A URL without a
   * database, or with a name that is not a plain identifier, is left to the driver.
   */
  static void createUrlDatabase(String url, AppConfig config) {
    int hosts = url.indexOf("//");
    int slash = hosts < 0 ? -1 : url.indexOf('/', hosts + 2);
    if (slash < 0) {
      return;
    }
    int query = url.indexOf('?', slash);
    String name = query < 0 ? url.substring(slash + 1) : url.substring(slash + 1, query);
    if (!name.matches("[A-Za-z0-9_]{1,64}")) {
      return;
    }
    String serverUrl = url.substring(0, slash + 1) + (query < 0 ? "" : url.substring(query));
    try (Connection connection =
            DriverManager.getConnection(serverUrl, config.jdbcUser(), config.jdbcPassword());
        Statement statement = connection.createStatement()) {
      statement.execute(
          "CREATE DATABASE IF NOT EXISTS `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    } catch (SQLException e) {
      throw new DatabaseUnavailableException(
          "cannot connect to MySQL/MariaDB at "
              + serverUrl
              + " to create database '"
              + name
              + "' when missing: "
              + Causes.describe(e)
              + "; check --jdbc-url, --jdbc-user and --jdbc-password, or create the database",
          e);
    }
  }

  /** Creates the MySQL database {@code --schema} names when it does not exist yet. */
  private static void createDatabase(String url, AppConfig config) {
    try (Connection connection =
            DriverManager.getConnection(url, config.jdbcUser(), config.jdbcPassword());
        Statement statement = connection.createStatement()) {
      // --schema is a checked lower-case identifier, so it can be written into the statement.
      statement.execute(
          "CREATE DATABASE IF NOT EXISTS `"
              + config.schema()
              + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    } catch (SQLException e) {
      throw new DatabaseUnavailableException(
          "cannot create database '"
              + config.schema()
              + "' (--schema) at "
              + url
              + ": "
              + Causes.describe(e)
              + "; create it, or let the user create databases",
          e);
    }
  }

  private void migrate() {
    OutpostMigrations.builder().dataSource(dataSource).schema(schema).build().migrate();
    var flyway =
        Flyway.configure(AppDatabase.class.getClassLoader())
            .dataSource(dataSource)
            .locations(dialect == Dialect.MYSQL ? APP_MIGRATIONS_MYSQL : APP_MIGRATIONS);
    // On MySQL the default schema means the connection's own database (as for Outpost's tables).
    if (dialect == Dialect.POSTGRESQL || !OutpostMigrations.DEFAULT_SCHEMA.equals(schema)) {
      flyway = flyway.schemas(schema).defaultSchema(schema);
    }
    flyway
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
          stock.seed(tx, ITEMS, units);
          return null;
        });
  }

  DataSource dataSource() {
    return dataSource;
  }

  /** The database's dialect, detected from the driver's metadata. */
  Dialect dialect() {
    return dialect;
  }

  OrderRepository orders() {
    return orders;
  }

  StockRepository stock() {
    return stock;
  }

  NoticeRepository notices() {
    return notices;
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
   * deadlock or serialization failure (SQLSTATE 40001 on both databases, 40P01 on PostgreSQL: the
   * database rolled the transaction back, nothing was kept) is retried a few times.
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
