package dev.outpost.examples;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/** The app's command line (picocli); {@link #toConfig()} checks ranges and combinations. */
@Command(
    name = "java -jar outpost-example.jar",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Starts the order-timeout service (HTTP on --port) or, with --simulate N, drives N orders"
          + " through it and checks the invariants. A flag shown with [env: NAME] can also be set"
          + " by that environment variable; the flag wins.",
      "Default infrastructure: embedded PostgreSQL, in-process publisher.",
      ""
    },
    footer = {
      "",
      "Exit codes: 0 ok, 1 an invariant failed, 2 bad flags, unreachable broker or unsupported"
          + " database."
    })
final class Flags {

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  /** Environment variable of each flag that has one. */
  private static final Map<String, String> ENV =
      Map.of(
          "--jdbc-url", "OUTPOST_JDBC_URL",
          "--jdbc-user", "OUTPOST_JDBC_USER",
          "--jdbc-password", "OUTPOST_JDBC_PASSWORD",
          "--schema", "OUTPOST_SCHEMA",
          "--rabbitmq-uri", "OUTPOST_RABBITMQ_URI",
          "--kafka-bootstrap", "OUTPOST_KAFKA_BOOTSTRAP",
          "--rocketmq-namesrv", "OUTPOST_ROCKETMQ_NAMESRV",
          "--port", "OUTPOST_PORT",
          "--order-timeout", "OUTPOST_ORDER_TIMEOUT",
          "--initial-stock", "OUTPOST_INITIAL_STOCK");

  @Option(
      names = "--jdbc-url",
      paramLabel = "URL",
      description =
          "PostgreSQL, MySQL or MariaDB instead of the embedded PostgreSQL, e.g."
              + " jdbc:mariadb://127.0.0.1:3306/shop [env: OUTPOST_JDBC_URL]")
  String jdbcUrl;

  @Option(
      names = "--jdbc-user",
      paramLabel = "USER",
      description =
          "user for --jdbc-url, default postgres (root for MySQL/MariaDB)"
              + " [env: OUTPOST_JDBC_USER]")
  String jdbcUser;

  @Option(
      names = "--jdbc-password",
      paramLabel = "PW",
      description = "password for --jdbc-url, default empty [env: OUTPOST_JDBC_PASSWORD]")
  String jdbcPassword = "";

  @Option(
      names = "--schema",
      paramLabel = "NAME",
      description =
          "schema of all tables (on MySQL/MariaDB a database, created when missing), default"
              + " public (on MySQL/MariaDB: the database of --jdbc-url) [env: OUTPOST_SCHEMA]")
  String schema = "public";

  @Option(
      names = "--rabbitmq-uri",
      paramLabel = "URI",
      description =
          "publish and consume through RabbitMQ, e.g. amqp://guest:guest@127.0.0.1:5672"
              + " [env: OUTPOST_RABBITMQ_URI]")
  String rabbitmqUri;

  @Option(
      names = "--kafka-bootstrap",
      paramLabel = "HOSTS",
      description =
          "publish and consume through Kafka, e.g. 127.0.0.1:9092 [env: OUTPOST_KAFKA_BOOTSTRAP]")
  String kafkaBootstrap;

  @Option(
      names = "--rocketmq-namesrv",
      paramLabel = "HOST:PORT",
      description =
          "publish and consume through RocketMQ, e.g. 127.0.0.1:9876; needs the app built with"
              + " -Procketmq [env: OUTPOST_ROCKETMQ_NAMESRV]")
  String rocketmqNamesrv;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "HTTP port, default 8080 (0 = any free port) [env: OUTPOST_PORT]")
  Integer port;

  @Option(
      names = "--order-timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      description =
          "how long an order may stay unpaid: 500ms, 2s, 5m; default 5m, 2s with --simulate"
              + " [env: OUTPOST_ORDER_TIMEOUT]")
  Duration orderTimeout;

  @Option(
      names = "--initial-stock",
      paramLabel = "N",
      description =
          "units per item when the stock table is empty, default 1000 (with --simulate: enough"
              + " for every order) [env: OUTPOST_INITIAL_STOCK]")
  Integer initialStock;

  @Option(
      names = "--simulate",
      paramLabel = "N",
      description =
          "place N orders, pay some, inject duplicates, report, exit (exit code 1 when an"
              + " invariant fails)")
  int simulate;

  @Option(
      names = "--resume",
      description =
          "place no new orders: finish what the database holds (e.g. after a crash), check the"
              + " invariants, exit")
  boolean resume;

  @Option(
      names = "--pay-share",
      paramLabel = "X",
      description = "share of orders whose customer tries to pay, default 0.5")
  double payShare = 0.5;

  @Option(
      names = "--duplicate-share",
      paramLabel = "X",
      description = "share of messages delivered twice on purpose, default 0.05")
  Double duplicateShare;

  @Option(names = "--rate", paramLabel = "N", description = "orders placed per second, default 250")
  int rate = 250;

  @Option(
      names = "--settle-timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "how long to wait for all orders to settle, default 2m")
  Duration settleTimeout = Duration.ofMinutes(2);

  @Option(names = "--seed", paramLabel = "N", description = "random seed, default: random")
  Long seed;

  @Option(
      names = {"-h", "--help"},
      usageHelp = true,
      description = "print this text")
  boolean help;

  static AppConfig parse(String[] args, Map<String, String> env) {
    Flags flags = new Flags();
    CommandLine cl = commandLine(flags, env);
    try {
      cl.parseArgs(args);
    } catch (ParameterException e) {
      throw new IllegalArgumentException(e.getMessage() + "; see --help", e);
    }
    return cl.isUsageHelpRequested() ? null : flags.toConfig();
  }

  static String usage() {
    return commandLine(new Flags(), Map.of()).getUsageMessage();
  }

  private static CommandLine commandLine(Flags flags, Map<String, String> env) {
    CommandLine cl = new CommandLine(flags);
    cl.setDefaultValueProvider(
        arg -> {
          if (arg instanceof OptionSpec option && ENV.containsKey(option.longestName())) {
            String value = env.get(ENV.get(option.longestName()));
            return value == null || value.isBlank() ? null : value.trim();
          }
          return null;
        });
    return cl;
  }

  AppConfig toConfig() {
    boolean simulation = simulate > 0 || resume;
    range("--simulate", simulate, 0, 1_000_000);
    if (resume && simulate > 0) {
      throw new IllegalArgumentException(
          "--resume places no new orders, so it cannot go with --simulate "
              + simulate
              + "; give one of them");
    }
    if ((rabbitmqUri != null ? 1 : 0)
            + (kafkaBootstrap != null ? 1 : 0)
            + (rocketmqNamesrv != null ? 1 : 0)
        > 1) {
      throw new IllegalArgumentException(
          "more than one of --rabbitmq-uri, --kafka-bootstrap and --rocketmq-namesrv were given;"
              + " choose one broker");
    }
    if (rocketmqNamesrv != null && !RocketMqTransport.clientPresent()) {
      throw new IllegalArgumentException(
          "--rocketmq-namesrv needs the RocketMQ client, which this build of the app leaves out;"
              + " build it with: mvn -B -q -DskipTests -Procketmq -pl examples/order-timeout -am"
              + " package");
    }
    if (rabbitmqUri != null
        && !rabbitmqUri.startsWith("amqp://")
        && !rabbitmqUri.startsWith("amqps://")) {
      throw new IllegalArgumentException(
          "--rabbitmq-uri '" + rabbitmqUri + "' must start with amqp:// or amqps://");
    }
    if (jdbcUrl != null && AppConfig.JDBC_URL_PREFIXES.stream().noneMatch(jdbcUrl::startsWith)) {
      throw new IllegalArgumentException(
          "--jdbc-url '"
              + jdbcUrl
              + "' is not a supported JDBC URL; use PostgreSQL 13+"
              + " (jdbc:postgresql://127.0.0.1:5432/shop), MariaDB 10.6+"
              + " (jdbc:mariadb://127.0.0.1:3306/shop) or MySQL 8.0+"
              + " (jdbc:mysql://127.0.0.1:3306/shop)");
    }
    if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "--schema '" + schema + "' must be a lower-case identifier of [a-z0-9_]");
    }
    Duration timeout =
        orderTimeout != null
            ? orderTimeout
            : simulation ? AppConfig.DEFAULT_SIMULATION_TIMEOUT : AppConfig.DEFAULT_ORDER_TIMEOUT;
    range("--order-timeout", timeout, Duration.ofMillis(100), Duration.ofDays(7));
    range("--settle-timeout", settleTimeout, Duration.ofSeconds(1), Duration.ofDays(1));
    int httpPort = port != null ? port : simulation ? -1 : 8080;
    if (port != null) {
      range("--port", port, 0, 65535);
    }
    int stock =
        initialStock != null ? initialStock : simulation ? Math.max(1000, simulate * 2) : 1000;
    range("--initial-stock", stock, 0, Integer.MAX_VALUE / 8);
    double duplicates = duplicateShare != null ? duplicateShare : simulation ? 0.05 : 0.0;
    share("--pay-share", payShare);
    share("--duplicate-share", duplicates);
    range("--rate", rate, 1, 100_000);
    String user =
        jdbcUser != null
            ? jdbcUser
            : jdbcUrl != null && AppConfig.isMysqlUrl(jdbcUrl) ? "root" : "postgres";
    return new AppConfig(
        jdbcUrl,
        user,
        jdbcPassword,
        schema,
        rabbitmqUri,
        kafkaBootstrap,
        rocketmqNamesrv,
        httpPort,
        timeout,
        simulate,
        resume,
        payShare,
        duplicates,
        rate,
        stock,
        settleTimeout,
        seed != null ? seed : System.nanoTime());
  }

  private static void range(String flag, long value, long min, long max) {
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          flag + " " + value + " is out of range; allowed " + min + ".." + max);
    }
  }

  private static void range(String flag, Duration value, Duration min, Duration max) {
    if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          flag + " " + value + " is out of range; allowed " + min + " .. " + max);
    }
  }

  private static void share(String flag, double value) {
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(flag + " " + value + " is out of range; allowed 0..1");
    }
  }

  /** Durations as people write them: {@code 500ms}, {@code 2s}, {@code 5m}, {@code 1h}. */
  static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String text) {
      Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw new CommandLine.TypeConversionException(
            "'" + text + "' is not a duration; write e.g. 500ms, 2s, 5m or 1h");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        case "m" -> Duration.ofMinutes(n);
        default -> Duration.ofHours(n);
      };
    }
  }
}
