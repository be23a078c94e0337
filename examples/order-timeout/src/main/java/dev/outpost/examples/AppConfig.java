package dev.outpost.examples;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Settings of the order-timeout app, read from command-line flags by {@link Flags}, each of which
 * can also come from an environment variable (the flag wins).
 *
 * @param jdbcUrl PostgreSQL, MySQL or MariaDB to use ({@code jdbc:postgresql:}, {@code jdbc:mysql:}
 *     or {@code jdbc:mariadb:}), or {@code null} for an embedded PostgreSQL
 * @param jdbcUser user for {@code jdbcUrl}
 * @param jdbcPassword password for {@code jdbcUrl}
 * @param schema schema of Outpost's and the app's tables
 * @param rabbitmqUri RabbitMQ to publish to and consume from, or {@code null}
 * @param kafkaBootstrap Kafka to publish to and consume from, or {@code null}
 * @param rocketmqNamesrv RocketMQ name server to publish to and consume from, or {@code null}
 * @param port HTTP port (0 = any free port, -1 = no HTTP server)
 * @param orderTimeout how long an order may stay unpaid
 * @param simulate orders the simulation places; 0 = serve HTTP until stopped
 * @param resume whether to place no new orders but finish and verify what the database holds
 * @param payShare share of simulated orders whose customer tries to pay
 * @param duplicateShare share of published messages delivered twice on purpose
 * @param rate orders per second the simulation places
 * @param initialStock units of each item when the stock table is seeded
 * @param settleTimeout how long the simulation waits for every order to settle
 * @param seed random seed of the simulation
 */
public record AppConfig(
    String jdbcUrl,
    String jdbcUser,
    String jdbcPassword,
    String schema,
    String rabbitmqUri,
    String kafkaBootstrap,
    String rocketmqNamesrv,
    int port,
    Duration orderTimeout,
    int simulate,
    boolean resume,
    double payShare,
    double duplicateShare,
    int rate,
    int initialStock,
    Duration settleTimeout,
    long seed) {

  /** Order timeout of the HTTP service: 5 minutes. */
  public static final Duration DEFAULT_ORDER_TIMEOUT = Duration.ofMinutes(5);

  /** Order timeout of a simulation: 2 seconds, so payments race the timeout. */
  public static final Duration DEFAULT_SIMULATION_TIMEOUT = Duration.ofSeconds(2);

  /** The JDBC URL prefixes the app accepts: PostgreSQL, MariaDB, MySQL. */
  static final List<String> JDBC_URL_PREFIXES =
      List.of("jdbc:postgresql:", "jdbc:mariadb:", "jdbc:mysql:");

  /** Whether {@code jdbcUrl} names MySQL or MariaDB (rather than PostgreSQL). */
  static boolean isMysqlUrl(String jdbcUrl) {
    return jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.startsWith("jdbc:mariadb:");
  }

  /**
   * The URL handed to the driver. The app ships one driver for MySQL and MariaDB, MariaDB
   * Connector/J (it speaks to both servers); it takes a {@code jdbc:mysql:} URL only with its
   * {@code permitMysqlScheme} option, which is added here.
   */
  static String driverUrl(String jdbcUrl) {
    if (!jdbcUrl.startsWith("jdbc:mysql:") || jdbcUrl.contains("permitMysqlScheme")) {
      return jdbcUrl;
    }
    return jdbcUrl + (jdbcUrl.contains("?") ? "&" : "?") + "permitMysqlScheme";
  }

  /** Whether this run is a simulation (new orders or a resumed run). */
  public boolean simulation() {
    return simulate > 0 || resume;
  }

  /** How messages travel, for humans: the broker (without credentials) or in-process. */
  public String transportName() {
    if (rabbitmqUri != null) {
      return "RabbitMQ " + rabbitmqUri.replaceAll("//[^@/]*@", "//");
    }
    if (kafkaBootstrap != null) {
      return "Kafka " + kafkaBootstrap;
    }
    if (rocketmqNamesrv != null) {
      return "RocketMQ " + rocketmqNamesrv;
    }
    return "in-process publisher";
  }

  /**
   * Reads the flags and the environment.
   *
   * @param args command-line arguments
   * @param env environment variables (flags win over them)
   * @return the configuration, or {@code null} when {@code --help} was asked for
   * @throws IllegalArgumentException naming the flag, the value and what is allowed
   */
  public static AppConfig parse(String[] args, Map<String, String> env) {
    return Flags.parse(args, env);
  }

  /** The help text listing every flag and its environment variable. */
  static String usage() {
    return Flags.usage();
  }

  /** A duration as people write it: {@code 500 ms}, {@code 2 s}, {@code 5 min}. */
  static String describe(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + " ms";
    }
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }
}
