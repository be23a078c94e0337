package dev.outpost.testing;

import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * The RabbitMQ that broker tests run against: {@value #ENV_URI} when set, else the local service at
 * {@value #DEFAULT_URI}. Needs {@code com.rabbitmq:amqp-client} on the test classpath.
 *
 * <p>Tests never skip when the broker is missing: {@link #requireAvailable()} fails with a message
 * naming the URI and how to start the broker.
 */
public final class LocalRabbitMq {

  /** Environment variable with the AMQP URI of the broker. */
  public static final String ENV_URI = "OUTPOST_TEST_RABBITMQ_URI";

  /** The URI used when {@link #ENV_URI} is not set. */
  public static final String DEFAULT_URI = "amqp://guest:guest@127.0.0.1:5672/%2f";

  private LocalRabbitMq() {}

  /** The AMQP URI of the test broker. */
  public static String uri() {
    String uri = System.getenv(ENV_URI);
    return uri == null || uri.isBlank() ? DEFAULT_URI : uri;
  }

  /** A connection factory for {@link #uri()} with automatic recovery off (tests control it). */
  public static ConnectionFactory connectionFactory() {
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri());
      factory.setConnectionTimeout(5_000);
      return factory;
    } catch (Exception e) {
      throw new IllegalStateException(
          "bad RabbitMQ URI '" + uri() + "' in " + ENV_URI + ": " + e, e);
    }
  }

  /**
   * Checks that the broker answers.
   *
   * @throws IllegalStateException naming the URI and how to start the broker when it does not
   */
  public static void requireAvailable() {
    try (Connection connection = connectionFactory().newConnection("outpost-test-probe")) {
      if (!connection.isOpen()) {
        throw new IllegalStateException("connection closed at once");
      }
    } catch (Exception e) {
      throw new IllegalStateException(
          "RabbitMQ is not reachable at "
              + uri()
              + " ("
              + e
              + "). Start it (e.g. 'rabbitmq-server -detached') or point "
              + ENV_URI
              + " at a running broker.",
          e);
    }
  }
}
