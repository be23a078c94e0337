package dev.outpost.examples;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Settings of the order-timeout app, parsed from command-line flags, each of which can also come
 * from an environment variable (the flag wins).
 *
 * @param jdbcUrl PostgreSQL to use, or {@code null} for an embedded PostgreSQL
 * @param jdbcUser user for {@code jdbcUrl}
 * @param jdbcPassword password for {@code jdbcUrl}
 * @param schema schema of Outpost's and the app's tables
 * @param rabbitmqUri RabbitMQ to publish to and consume from, or {@code null}
 * @param kafkaBootstrap Kafka to publish to and consume from, or {@code null}
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

  static final String USAGE =
      """
      Usage: java -jar outpost-example.jar [flags]

      Starts the order-timeout service (HTTP on --port) or, with --simulate N, drives N orders
      through it and checks the invariants. Every flag can also be set by the environment
      variable in brackets; the flag wins.

      Infrastructure (default: embedded PostgreSQL, in-process publisher):
        --jdbc-url URL          PostgreSQL to use instead of the embedded one [OUTPOST_JDBC_URL]
        --jdbc-user USER        user for --jdbc-url, default postgres [OUTPOST_JDBC_USER]
        --jdbc-password PW      password for --jdbc-url, default empty [OUTPOST_JDBC_PASSWORD]
        --schema NAME           schema of all tables, default public [OUTPOST_SCHEMA]
        --rabbitmq-uri URI      publish and consume through RabbitMQ [OUTPOST_RABBITMQ_URI]
                                e.g. amqp://guest:guest@127.0.0.1:5672
        --kafka-bootstrap HOSTS publish and consume through Kafka [OUTPOST_KAFKA_BOOTSTRAP]
                                e.g. 127.0.0.1:9092
      Service:
        --port N                HTTP port, default 8080 (0 = any free port) [OUTPOST_PORT]
        --order-timeout D       how long an order may stay unpaid: 500ms, 2s, 5m; default 5m,
                                2s with --simulate [OUTPOST_ORDER_TIMEOUT]
        --initial-stock N       units per item when the stock table is empty, default 1000
                                (with --simulate: enough for every order) [OUTPOST_INITIAL_STOCK]
      Simulation:
        --simulate N            place N orders, pay some, inject duplicates, report, exit
                                (exit code 1 when an invariant fails)
        --resume                place no new orders: finish what the database holds (e.g. after
                                a crash), check the invariants, exit
        --pay-share X           share of orders whose customer tries to pay, default 0.5
        --duplicate-share X     share of messages delivered twice on purpose, default 0.05
        --rate N                orders placed per second, default 250
        --settle-timeout D      how long to wait for all orders to settle, default 2m
        --seed N                random seed, default: random
        --help                  print this text
      """;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");

  private static final List<Flag> FLAGS =
      List.of(
          new Flag("--jdbc-url", "OUTPOST_JDBC_URL", true),
          new Flag("--jdbc-user", "OUTPOST_JDBC_USER", true),
          new Flag("--jdbc-password", "OUTPOST_JDBC_PASSWORD", true),
          new Flag("--schema", "OUTPOST_SCHEMA", true),
          new Flag("--rabbitmq-uri", "OUTPOST_RABBITMQ_URI", true),
          new Flag("--kafka-bootstrap", "OUTPOST_KAFKA_BOOTSTRAP", true),
          new Flag("--port", "OUTPOST_PORT", true),
          new Flag("--order-timeout", "OUTPOST_ORDER_TIMEOUT", true),
          new Flag("--initial-stock", "OUTPOST_INITIAL_STOCK", true),
          new Flag("--simulate", null, true),
          new Flag("--resume", null, false),
          new Flag("--pay-share", null, true),
          new Flag("--duplicate-share", null, true),
          new Flag("--rate", null, true),
          new Flag("--settle-timeout", null, true),
          new Flag("--seed", null, true));

  private record Flag(String name, String env, boolean hasValue) {}

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
    return "in-process publisher";
  }

  /**
   * Reads the flags and the environment.
   *
   * @return the configuration, or {@code null} when {@code --help} was asked for
   * @throws IllegalArgumentException naming the flag, the value and what is allowed
   */
  public static AppConfig parse(String[] args, Map<String, String> env) {
    Map<String, String> values = new HashMap<>();
    for (Flag flag : FLAGS) {
      if (flag.env() != null && env.get(flag.env()) != null && !env.get(flag.env()).isBlank()) {
        values.put(flag.name(), env.get(flag.env()).trim());
      }
    }
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--help") || arg.equals("-h")) {
        return null;
      }
      String value = null;
      int eq = arg.indexOf('=');
      if (arg.startsWith("--") && eq > 0) {
        value = arg.substring(eq + 1);
        arg = arg.substring(0, eq);
      }
      Flag flag = find(arg);
      if (!flag.hasValue()) {
        values.put(arg, "true");
        continue;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          throw new IllegalArgumentException(arg + " needs a value; see --help");
        }
        value = args[++i];
      }
      values.put(arg, value);
    }
    return fromValues(values);
  }

  private static Flag find(String arg) {
    for (Flag flag : FLAGS) {
      if (flag.name().equals(arg)) {
        return flag;
      }
    }
    throw new IllegalArgumentException("unknown flag '" + arg + "'; see --help for the flags");
  }

  private static AppConfig fromValues(Map<String, String> v) {
    int simulate = intValue(v, "--simulate", 0, 0, 1_000_000);
    boolean resume = v.containsKey("--resume");
    boolean simulation = simulate > 0 || resume;
    if (resume && simulate > 0) {
      throw new IllegalArgumentException(
          "--resume places no new orders, so it cannot go with --simulate "
              + simulate
              + "; give one of them");
    }
    if (v.containsKey("--rabbitmq-uri") && v.containsKey("--kafka-bootstrap")) {
      throw new IllegalArgumentException(
          "--rabbitmq-uri and --kafka-bootstrap were both given; choose one broker");
    }
    String uri = v.get("--rabbitmq-uri");
    if (uri != null && !uri.startsWith("amqp://") && !uri.startsWith("amqps://")) {
      throw new IllegalArgumentException(
          "--rabbitmq-uri '" + uri + "' must start with amqp:// or amqps://");
    }
    String jdbcUrl = v.get("--jdbc-url");
    if (jdbcUrl != null && !jdbcUrl.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException(
          "--jdbc-url '"
              + jdbcUrl
              + "' must be a PostgreSQL JDBC URL like jdbc:postgresql://127.0.0.1:5432/orders");
    }
    String schema = v.getOrDefault("--schema", "public");
    if (!schema.matches("[a-z_][a-z0-9_]{0,62}")) {
      throw new IllegalArgumentException(
          "--schema '" + schema + "' must be a lower-case identifier of [a-z0-9_]");
    }
    Duration timeout =
        durationValue(
            v,
            "--order-timeout",
            simulation ? DEFAULT_SIMULATION_TIMEOUT : DEFAULT_ORDER_TIMEOUT,
            Duration.ofMillis(100),
            Duration.ofDays(7));
    int stockDefault = simulation ? Math.max(1000, simulate * 2) : 1000;
    return new AppConfig(
        jdbcUrl,
        v.getOrDefault("--jdbc-user", "postgres"),
        v.getOrDefault("--jdbc-password", ""),
        schema,
        uri,
        v.get("--kafka-bootstrap"),
        intValue(v, "--port", simulation ? -1 : 8080, 0, 65535),
        timeout,
        simulate,
        resume,
        doubleValue(v, "--pay-share", 0.5),
        doubleValue(v, "--duplicate-share", simulation ? 0.05 : 0.0),
        intValue(v, "--rate", 250, 1, 100_000),
        intValue(v, "--initial-stock", stockDefault, 0, Integer.MAX_VALUE / 8),
        durationValue(
            v,
            "--settle-timeout",
            Duration.ofMinutes(2),
            Duration.ofSeconds(1),
            Duration.ofDays(1)),
        longValue(v, "--seed", System.nanoTime()));
  }

  private static int intValue(Map<String, String> v, String flag, int def, int min, int max) {
    String text = v.get(flag);
    if (text == null) {
      return def;
    }
    long value = longValue(v, flag, def);
    if (value < min || value > max) {
      throw new IllegalArgumentException(
          flag + " " + text + " is out of range; allowed " + min + ".." + max);
    }
    return (int) value;
  }

  private static long longValue(Map<String, String> v, String flag, long def) {
    String text = v.get(flag);
    if (text == null) {
      return def;
    }
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " '" + text + "' is not a whole number");
    }
  }

  private static double doubleValue(Map<String, String> v, String flag, double def) {
    String text = v.get(flag);
    if (text == null) {
      return def;
    }
    double value;
    try {
      value = Double.parseDouble(text.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " '" + text + "' is not a number like 0.25");
    }
    if (!(value >= 0 && value <= 1)) {
      throw new IllegalArgumentException(flag + " " + text + " is out of range; allowed 0..1");
    }
    return value;
  }

  /** A duration as people write it: {@code 500 ms}, {@code 2 s}, {@code 5 min}. */
  static String describe(Duration d) {
    if (d.toMillis() % 1000 != 0) {
      return d.toMillis() + " ms";
    }
    return d.toSeconds() % 60 == 0 ? d.toMinutes() + " min" : d.toSeconds() + " s";
  }

  static Duration durationValue(
      Map<String, String> v, String flag, Duration def, Duration min, Duration max) {
    String text = v.get(flag);
    if (text == null) {
      return def;
    }
    Matcher m = DURATION.matcher(text.trim().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(
          flag + " '" + text + "' is not a duration; write e.g. 500ms, 2s, 5m or 1h");
    }
    long n = Long.parseLong(m.group(1));
    Duration d =
        switch (m.group(2)) {
          case "ms" -> Duration.ofMillis(n);
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          default -> Duration.ofHours(n);
        };
    if (d.compareTo(min) < 0 || d.compareTo(max) > 0) {
      throw new IllegalArgumentException(
          flag + " " + text + " is out of range; allowed " + min + " .. " + max);
    }
    return d;
  }
}
