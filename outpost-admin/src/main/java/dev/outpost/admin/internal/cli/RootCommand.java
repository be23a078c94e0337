package dev.outpost.admin.internal.cli;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.admin.OutpostCli;
import dev.outpost.admin.internal.Json;
import dev.outpost.admin.internal.Operations;
import dev.outpost.common.OutpostTableNames;
import java.io.PrintWriter;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code outpost}: the connection options and the subcommands. */
@Command(
    name = "outpost",
    mixinStandardHelpOptions = true,
    version = "outpost-admin 0.1.0",
    description = "Operate Outpost: backlog, dead letters, delayed messages, web console.",
    footer = {
      "",
      "The database password is read from the environment variable "
          + OutpostCli.PASSWORD_ENV
          + ".",
      "Exit codes: 0 done, 1 failed, 2 bad arguments, 3 confirmation declined or stdin closed"
          + " (use --yes), 4 not found."
    },
    subcommands = {
      StatusCommand.class,
      DeadLettersCommand.class,
      DelayedCommand.class,
      ConsoleCommand.class,
      CommandLine.HelpCommand.class
    })
public final class RootCommand implements Callable<Integer> {

  @Option(
      names = "--jdbc-url",
      description =
          "JDBC URL of the database: jdbc:postgresql://db:5432/app, jdbc:mariadb://db:3306/app"
              + " or jdbc:mysql://db:3306/app (MySQL 8.0+, MariaDB 10.6+)")
  String jdbcUrl;

  @Option(
      names = "--schema",
      description = "Schema of Outpost's tables (default: ${DEFAULT-VALUE})")
  String schema = OutpostTableNames.DEFAULT_SCHEMA;

  @Option(names = "--user", description = "Database user")
  String user;

  @Option(
      names = "--operator",
      description = "Name written into the audit table (default: the OS user)")
  String operator = System.getProperty("user.name", "unknown");

  @Option(names = "--json", description = "Machine-readable JSON on stdout")
  boolean json;

  private static final String MYSQL_SCHEME = "jdbc:mysql:";
  private static final String PERMIT_MYSQL_SCHEME = "permitMysqlScheme";

  final CliIo io;
  private HikariDataSource dataSource;

  RootCommand(CliIo io) {
    this.io = io;
  }

  /** Parses and runs {@code args}; returns the exit code. */
  public static int execute(String[] args, CliIo io) {
    RootCommand root = new RootCommand(io);
    CommandLine cli = new CommandLine(root);
    cli.setOut(new PrintWriter(io.out(), true));
    cli.setErr(new PrintWriter(io.err(), true));
    cli.setExitCodeExceptionMapper(e -> OutpostCli.FAILED);
    cli.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          boolean usage = e instanceof IllegalArgumentException;
          io.err().println("error: " + root.scrub(String.valueOf(e.getMessage())));
          return usage ? OutpostCli.USAGE : OutpostCli.FAILED;
        });
    try {
      return cli.execute(args);
    } finally {
      root.closeDataSource();
    }
  }

  @Override
  public Integer call() {
    new CommandLine(this).usage(io.out());
    return OutpostCli.USAGE;
  }

  /** A pooled data source for this run (created on first use, closed at the end). */
  HikariDataSource dataSource(int poolSize) {
    if (dataSource == null) {
      if (jdbcUrl == null || jdbcUrl.isBlank()) {
        throw new IllegalArgumentException(
            "--jdbc-url is required, e.g. --jdbc-url jdbc:postgresql://localhost:5432/app");
      }
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(forBundledDrivers(jdbcUrl));
      config.setUsername(user);
      config.setPassword(io.env(OutpostCli.PASSWORD_ENV));
      config.setMaximumPoolSize(poolSize);
      config.setMinimumIdle(0);
      config.setPoolName("outpost-admin");
      config.setConnectionTimeout(10_000);
      config.setInitializationFailTimeout(-1);
      dataSource = new HikariDataSource(config);
    }
    return dataSource;
  }

  /**
   * {@code url} as the bundled drivers take it. The jar bundles the PostgreSQL driver and MariaDB
   * Connector/J, which also speaks to MySQL 8 but takes a {@code jdbc:mysql:} URL only with its
   * {@code permitMysqlScheme} option; that option is added unless a driver on the class path (MySQL
   * Connector/J, say) takes the URL as it is.
   */
  static String forBundledDrivers(String url) {
    if (!url.startsWith(MYSQL_SCHEME) || url.contains(PERMIT_MYSQL_SCHEME)) {
      return url;
    }
    try {
      DriverManager.getDriver(url);
      return url;
    } catch (SQLException noDriverTakesIt) {
      // expected without MySQL Connector/J: hand the URL to MariaDB Connector/J
      return url + (url.contains("?") ? "&" : "?") + PERMIT_MYSQL_SCHEME;
    }
  }

  Operations operations() {
    return new Operations(dataSource(2), schema, Clock.systemUTC());
  }

  /** Prints {@code value} as JSON. */
  void printJson(Object value) {
    io.out().println(Json.pretty(value));
  }

  /** {@code text} with the password replaced; nothing this tool prints may contain it. */
  String scrub(String text) {
    String password = io.env(OutpostCli.PASSWORD_ENV);
    return password == null || password.isEmpty() ? text : text.replace(password, "****");
  }

  private void closeDataSource() {
    if (dataSource != null) {
      dataSource.close();
    }
  }
}
