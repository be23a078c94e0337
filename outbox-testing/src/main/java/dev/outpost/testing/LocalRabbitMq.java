package dev.outpost.testing;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * The RabbitMQ that broker tests run against, chosen once per JVM in this order:
 *
 * <ol>
 *   <li>{@value #ENV_URI} when set: an existing broker;
 *   <li>a Testcontainers RabbitMQ when a Docker engine answers (and {@value
 *       OutpostPostgres#ENV_USE_DOCKER} is not {@code false}); image from {@value #ENV_IMAGE},
 *       default {@value #DEFAULT_IMAGE};
 *   <li>the local service at {@value #DEFAULT_URI} when it answers.
 * </ol>
 *
 * When none of them gives a broker, {@link #uri()} fails with a message naming all three. The
 * choice is logged at INFO. Needs {@code com.rabbitmq:amqp-client} on the test classpath.
 *
 * <p>Tests never skip when the broker is missing: {@link #requireAvailable()} fails instead.
 */
public final class LocalRabbitMq {

  /** Environment variable with the AMQP URI of the broker. */
  public static final String ENV_URI = "OUTPOST_TEST_RABBITMQ_URI";

  /** Environment variable naming the Docker image Testcontainers starts. */
  public static final String ENV_IMAGE = "OUTPOST_TEST_RABBITMQ_IMAGE";

  /** The Testcontainers image used when {@link #ENV_IMAGE} is not set. */
  public static final String DEFAULT_IMAGE = "rabbitmq:3.13-alpine";

  /** The URI of the local service, the last choice. */
  public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672/%2f";

  private static final int AMQP_PORT = 5672;
  private static final Duration PULL_TIMEOUT = Duration.ofSeconds(60);
  private static final Logger log = LoggerFactory.getLogger(LocalRabbitMq.class);
  private static String chosen;

  private LocalRabbitMq() {}

  /** The AMQP URI of the test broker, chosen (and for Testcontainers started) on first use. */
  public static synchronized String uri() {
    if (chosen == null) {
      chosen = choose(System.getenv());
    }
    return chosen;
  }

  static String choose(Map<String, String> env) {
    String uri = env.get(ENV_URI);
    if (uri != null && !uri.isBlank()) {
      log.info("Outpost tests use RabbitMQ from env {} at {}", ENV_URI, uri);
      return uri;
    }
    String dockerProblem = "no Docker engine answers";
    if (Docker.selected(env)) {
      String image = env.getOrDefault(ENV_IMAGE, DEFAULT_IMAGE);
      try {
        String started = startContainer(image);
        log.info("Outpost tests use RabbitMQ from testcontainers {} at {}", image, started);
        return started;
      } catch (RuntimeException e) {
        dockerProblem = "Testcontainers could not start " + image + ": " + e;
        log.warn("{}; trying the local service", dockerProblem);
      }
    }
    String localProblem = probe(DEFAULT_URI);
    if (localProblem == null) {
      log.info("Outpost tests use the local RabbitMQ service at {}", DEFAULT_URI);
      return DEFAULT_URI;
    }
    throw new IllegalStateException(
        "no RabbitMQ for the tests: (1) "
            + ENV_URI
            + " is not set; (2) "
            + dockerProblem
            + " (image from "
            + ENV_IMAGE
            + ", default "
            + DEFAULT_IMAGE
            + "); (3) the local service at "
            + DEFAULT_URI
            + " does not answer ("
            + localProblem
            + "). Set "
            + ENV_URI
            + ", start Docker, or start the local broker (e.g. 'rabbitmq-server -detached').");
  }

  @SuppressWarnings("resource") // stopped by the shutdown hook
  private static String startContainer(String image) {
    ensureImage(image);
    GenericContainer<?> container =
        new GenericContainer<>(image)
            .withExposedPorts(AMQP_PORT)
            .waitingFor(
                Wait.forLogMessage(".*Server startup complete.*", 1)
                    .withStartupTimeout(Duration.ofMinutes(2)));
    container.start();
    Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "outpost-test-rabbit-stop"));
    return "amqp://guest:guest@"
        + container.getHost()
        + ':'
        + container.getMappedPort(AMQP_PORT)
        + "/%2f";
  }

  /**
   * Pulls the image when it is not present, within {@link #PULL_TIMEOUT}: without registry access
   * Testcontainers would retry its pull for minutes before giving up.
   */
  private static void ensureImage(String image) {
    var client = DockerClientFactory.instance().client();
    try {
      client.inspectImageCmd(image).exec();
      return;
    } catch (RuntimeException notPresent) {
      log.info("Docker image {} is not present; pulling it", image);
    }
    try {
      if (!client
          .pullImageCmd(image)
          .start()
          .awaitCompletion(PULL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "pulling " + image + " took longer than " + PULL_TIMEOUT.toSeconds() + " s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while pulling " + image, e);
    }
  }

  /** A connection factory for {@link #uri()}; automatic recovery is left to the caller. */
  public static ConnectionFactory connectionFactory() {
    return connectionFactory(uri());
  }

  private static ConnectionFactory connectionFactory(String uri) {
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      factory.setConnectionTimeout(5_000);
      return factory;
    } catch (Exception e) {
      throw new IllegalStateException("bad RabbitMQ URI '" + uri + "': " + e, e);
    }
  }

  /** Null when the broker at {@code uri} accepts a connection, else what went wrong. */
  private static String probe(String uri) {
    try (Connection connection = connectionFactory(uri).newConnection("outpost-test-probe")) {
      return connection.isOpen() ? null : "connection closed at once";
    } catch (Exception e) {
      return e.toString();
    }
  }

  /**
   * Checks that the chosen broker answers.
   *
   * @throws IllegalStateException naming the URI, the choices, and how to start a broker when it
   *     does not
   */
  public static void requireAvailable() {
    String uri = uri();
    String problem = probe(uri);
    if (problem != null) {
      throw new IllegalStateException(
          "RabbitMQ is not reachable at "
              + uri
              + " ("
              + problem
              + "). Start it (e.g. 'rabbitmq-server -detached') or point "
              + ENV_URI
              + " at a running broker.");
    }
  }
}
