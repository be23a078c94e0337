package dev.outpost.benchmarks;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The PostgreSQL a benchmark runs against: {@value #ENV_URL} (user {@value #ENV_USER}, password
 * {@value #ENV_PASSWORD}) when set, otherwise an embedded PostgreSQL started with the benchmark's
 * server settings and stopped by {@link #close()}. Not thread-safe; one per benchmark run.
 */
final class BenchDatabase implements AutoCloseable {

  static final String ENV_URL = "OUTPOST_BENCH_JDBC_URL";
  static final String ENV_USER = "OUTPOST_BENCH_JDBC_USER";
  static final String ENV_PASSWORD = "OUTPOST_BENCH_JDBC_PASSWORD";

  private final EmbeddedPostgres embedded;
  private final String url;
  private final String user;
  private final String password;

  private BenchDatabase(EmbeddedPostgres embedded, String url, String user, String password) {
    this.embedded = embedded;
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /**
   * Uses the database named by {@value #ENV_URL} when set, else starts an embedded PostgreSQL with
   * {@code embeddedServerSettings} (ignored for an external database).
   */
  static BenchDatabase open(Map<String, String> embeddedServerSettings) throws IOException {
    String url = System.getenv(ENV_URL);
    if (url != null && !url.isBlank()) {
      return new BenchDatabase(
          null,
          url,
          System.getenv().getOrDefault(ENV_USER, "postgres"),
          System.getenv().getOrDefault(ENV_PASSWORD, ""));
    }
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    embeddedServerSettings.forEach(builder::setServerConfig);
    EmbeddedPostgres embedded = builder.start();
    return new BenchDatabase(embedded, embedded.getJdbcUrl("postgres", "postgres"), "postgres", "");
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
