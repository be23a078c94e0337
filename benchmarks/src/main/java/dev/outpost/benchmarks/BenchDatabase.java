package dev.outpost.benchmarks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.common.Dialect;
import dev.outpost.testing.OutpostMariaDb;
import dev.outpost.testing.TestDatabase;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database a benchmark runs against.
 *
 * <p>PostgreSQL ({@link #open}): {@value #ENV_URL} (user {@value #ENV_USER}, password {@value
 * #ENV_PASSWORD}) when set, otherwise an embedded PostgreSQL started with the benchmark's server
 * settings and stopped by {@link #close()}.
 *
 * <p>MariaDB/MySQL ({@link #openMariaDb}): {@value #ENV_MARIADB_URL} (user {@value
 * #ENV_MARIADB_USER}, password {@value #ENV_MARIADB_PASSWORD}) when set, otherwise what the test
 * fixture {@link OutpostMariaDb} picks (Testcontainers, the local service at 127.0.0.1:3306 in a
 * database of its own, or an embedded MariaDB). Benchmarks choose the database with {@link
 * #fromArgs} ({@code --database mariadb}) or {@value #ENV_DATABASE}. Not thread-safe; one per
 * benchmark run.
 */
final class BenchDatabase implements AutoCloseable {

  static final String ENV_URL = "OUTPOST_BENCH_JDBC_URL";
  static final String ENV_USER = "OUTPOST_BENCH_JDBC_USER";
  static final String ENV_PASSWORD = "OUTPOST_BENCH_JDBC_PASSWORD";
  static final String ENV_DATABASE = "OUTPOST_BENCH_DATABASE";
  static final String ENV_MARIADB_URL = "OUTPOST_BENCH_MARIADB_URL";
  static final String ENV_MARIADB_USER = "OUTPOST_BENCH_MARIADB_USER";
  static final String ENV_MARIADB_PASSWORD = "OUTPOST_BENCH_MARIADB_PASSWORD";

  private final Dialect dialect;
  private final EmbeddedPostgres embedded;
  private final String url;
  private final String user;
  private final String password;
  private final String schema;
  private final String description;

  private BenchDatabase(
      Dialect dialect,
      EmbeddedPostgres embedded,
      String url,
      String user,
      String password,
      String schema,
      String description) {
    this.dialect = dialect;
    this.embedded = embedded;
    this.url = url;
    this.user = user;
    this.password = password;
    this.schema = schema;
    this.description = description;
  }

  /**
   * The database a benchmark's arguments (or {@value #ENV_DATABASE}) ask for: {@code --database
   * mariadb} (or {@code mysql}) opens {@link #openMariaDb}, {@code --database postgresql} or
   * nothing opens {@link #open} with {@code embeddedServerSettings}. The {@code --database}
   * argument may appear anywhere; {@link #withoutDatabaseArgs} removes it before positional
   * parsing.
   */
  static BenchDatabase fromArgs(String[] args, Map<String, String> embeddedServerSettings)
      throws IOException {
    String requested = System.getenv().getOrDefault(ENV_DATABASE, "postgresql");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--database")) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(
              "--database needs a value: postgresql or mariadb (MariaDB or MySQL)");
        }
        requested = args[i + 1];
      } else if (args[i].startsWith("--database=")) {
        requested = args[i].substring("--database=".length());
      }
    }
    return switch (requested.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "postgresql", "postgres", "" -> open(embeddedServerSettings);
      case "mariadb", "mysql" -> openMariaDb();
      default ->
          throw new IllegalArgumentException(
              "unknown database '"
                  + requested
                  + "' (--database or "
                  + ENV_DATABASE
                  + "); use postgresql or mariadb (MariaDB or MySQL)");
    };
  }

  /** {@code args} without {@code --database X} / {@code --database=X}. */
  static String[] withoutDatabaseArgs(String[] args) {
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--database")) {
        i++;
      } else if (!args[i].startsWith("--database=")) {
        rest.add(args[i]);
      }
    }
    return rest.toArray(String[]::new);
  }

  /**
   * A MariaDB/MySQL database: {@value #ENV_MARIADB_URL} when set (its database must exist and is
   * used as the schema), otherwise a fresh, migrated database chosen by {@link OutpostMariaDb}.
   */
  static BenchDatabase openMariaDb() {
    String url = System.getenv(ENV_MARIADB_URL);
    if (url != null && !url.isBlank()) {
      return new BenchDatabase(
          Dialect.MYSQL,
          null,
          url,
          System.getenv().getOrDefault(ENV_MARIADB_USER, "root"),
          System.getenv().getOrDefault(ENV_MARIADB_PASSWORD, ""),
          databaseName(url),
          "MariaDB/MySQL at " + url);
    }
    TestDatabase test = OutpostMariaDb.shared();
    return new BenchDatabase(
        Dialect.MYSQL,
        null,
        test.jdbcUrl(),
        test.user(),
        test.password(),
        test.schema(),
        test.source() + " (" + test.jdbcUrl() + ")");
  }

  private static String databaseName(String url) {
    String path = url.substring(url.indexOf("//") + 2);
    int slash = path.indexOf('/');
    String name = slash < 0 ? "" : path.substring(slash + 1);
    int params = name.indexOf('?');
    name = params < 0 ? name : name.substring(0, params);
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          ENV_MARIADB_URL + " must name a database, e.g. jdbc:mariadb://127.0.0.1:3306/bench");
    }
    return name;
  }

  /**
   * Uses the database named by {@value #ENV_URL} when set, else starts an embedded PostgreSQL with
   * {@code embeddedServerSettings} (ignored for an external database).
   */
  static BenchDatabase open(Map<String, String> embeddedServerSettings) throws IOException {
    String url = System.getenv(ENV_URL);
    if (url != null && !url.isBlank()) {
      return new BenchDatabase(
          Dialect.POSTGRESQL,
          null,
          url,
          System.getenv().getOrDefault(ENV_USER, "postgres"),
          System.getenv().getOrDefault(ENV_PASSWORD, ""),
          "public",
          "PostgreSQL at " + url);
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    embeddedServerSettings.forEach(builder::setServerConfig);
    EmbeddedPostgres embedded = builder.start();
    return new BenchDatabase(
        Dialect.POSTGRESQL,
        embedded,
        embedded.getJdbcUrl("postgres", "postgres"),
        "postgres",
        "",
        "public",
        "embedded PostgreSQL");
  }

  /** PostgreSQL or MySQL (MariaDB and MySQL both). */
  Dialect dialect() {
    return dialect;
  }

  /** Whether this is MariaDB/MySQL. */
  boolean mariaDb() {
    return dialect == Dialect.MYSQL;
  }

  /** The schema Outpost's tables live in: {@code public}, or the MariaDB/MySQL database. */
  String schema() {
    return schema;
  }

  /** Where this database is, for the benchmark's header line. */
  String description() {
    return description;
  }

  String url() {
    return url;
  }

  String user() {
    return user;
  }

  String password() {
    return password;
  }

  /** Whether this is a PostgreSQL started by {@link #open}, not one named by {@value #ENV_URL}. */
  boolean embedded() {
    return embedded != null;
  }

  /** A pool configuration for this database, to adjust before {@code new HikariDataSource(..)}. */
  HikariConfig poolConfig(String name, int size) {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(url);
    config.setUsername(user);
    config.setPassword(password);
    config.setMaximumPoolSize(size);
    config.setPoolName(name);
    return config;
  }

  /** A Hikari pool of at most {@code size} connections to this database. */
  HikariDataSource pool(String name, int size) {
    return new HikariDataSource(poolConfig(name, size));
  }

  /** Stops the embedded PostgreSQL, if one was started. */
  @Override
  public void close() throws IOException {
    if (embedded != null) {
      embedded.close();
    }
  }

  /** Turns off jOOQ's logo and tips and sets logback's root level to WARN. */
  static void quietLogs() {
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(Level.WARN);
    }
  }
}
