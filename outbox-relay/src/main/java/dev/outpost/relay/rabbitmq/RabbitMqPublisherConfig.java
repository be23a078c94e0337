package dev.outpost.relay.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.outpost.common.internal.Check;
import dev.outpost.relay.RelayMessage;
import java.time.Duration;
import java.util.function.Function;

/**
 * Configuration of a {@link RabbitMqPublisher}, produced by {@link RabbitMqPublisher#builder()}.
 *
 * @param connectionFactory a private copy of the factory the publisher connects with; the publisher
 *     applies its own recovery, NIO and timeout settings to a further copy
 * @param connectionName the client-provided connection name shown by the broker
 * @param exchange the exchange of the default routing
 * @param routing where a message is published
 * @param mandatory whether messages are published mandatory (an unroutable one is returned and
 *     counts as failed)
 * @param persistent whether messages are published persistent (delivery mode 2)
 * @param channels how many confirm-mode channels publish; each outbox partition always uses the
 *     same one
 * @param confirmTimeout how long a published message waits for the broker's confirm
 * @param connectTimeout TCP connect, AMQP handshake and channel RPC timeout
 * @param recoveryInterval pause between reconnection attempts
 * @param maxMessageBytes largest payload sent; larger ones are rejected (dead-lettered)
 * @param cloudEvents whether CloudEvents AMQP headers ({@code cloudEvents_*}) are added
 * @param cloudEventsSource the CloudEvents {@code source}; {@code null} when off
 * @param cloudEventsType the CloudEvents {@code type} of a message
 * @param closeTimeout how long {@link RabbitMqPublisher#close()} waits for the connection to close
 */
public record RabbitMqPublisherConfig(
    ConnectionFactory connectionFactory,
    String connectionName,
    String exchange,
    Function<RelayMessage, Destination> routing,
    boolean mandatory,
    boolean persistent,
    int channels,
    Duration confirmTimeout,
    Duration connectTimeout,
    Duration recoveryInterval,
    int maxMessageBytes,
    boolean cloudEvents,
    String cloudEventsSource,
    Function<RelayMessage, String> cloudEventsType,
    Duration closeTimeout) {

  /** Default connection name. */
  public static final String DEFAULT_CONNECTION_NAME = "outpost-relay";

  /** Default number of publishing channels. */
  public static final int DEFAULT_CHANNELS = 8;

  /** Upper bound of the number of publishing channels. */
  public static final int MAX_CHANNELS = 256;

  /** Default confirm timeout: 30 seconds. */
  public static final Duration DEFAULT_CONFIRM_TIMEOUT = Duration.ofSeconds(30);

  /** Default connect timeout: 10 seconds. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);

  /** Default recovery interval: 2 seconds. */
  public static final Duration DEFAULT_RECOVERY_INTERVAL = Duration.ofSeconds(2);

  /** Default largest payload: 128 MiB, RabbitMQ's default {@code max_message_size}. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 128 * 1024 * 1024;

  /** Upper bound of {@code maxMessageBytes}: 512 MiB, RabbitMQ's hard limit. */
  public static final int MAX_MESSAGE_BYTES_LIMIT = 512 * 1024 * 1024;

  /** Default close timeout: 10 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Validates the values; see {@link RabbitMqPublisher.Builder} for the allowed ranges. */
  public RabbitMqPublisherConfig {
    if (connectionFactory == null) {
      throw new IllegalArgumentException(
          "connectionFactory is missing; set RabbitMqPublisher.builder().uri(\"amqp://...\") or"
              + " .connectionFactory(factory)");
    }
    connectionFactory = connectionFactory.clone();
    Check.notNull("connectionName", connectionName);
    Check.notNull("exchange", exchange);
    Check.notNull("routing", routing);
    Check.notNull("cloudEventsType", cloudEventsType);
    Check.range("confirmTimeout", confirmTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
    Check.range("connectTimeout", connectTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
    Check.range(
        "recoveryInterval", recoveryInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
    Check.range("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofMinutes(10));
    if (channels < 1 || channels > MAX_CHANNELS) {
      throw new IllegalArgumentException(
          "channels is " + channels + "; allowed 1.." + MAX_CHANNELS);
    }
    if (maxMessageBytes < 1 || maxMessageBytes > MAX_MESSAGE_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxMessageBytes is " + maxMessageBytes + "; allowed 1.." + MAX_MESSAGE_BYTES_LIMIT);
    }
    if (cloudEvents && (cloudEventsSource == null || cloudEventsSource.isBlank())) {
      throw new IllegalArgumentException(
          "cloudEventsSource is '"
              + cloudEventsSource
              + "'; CloudEvents need a non-blank source URI-reference such as '/orders-service'");
    }
    if (!cloudEvents) {
      cloudEventsSource = null;
    }
  }

  /** Where the publisher connects, without credentials: {@code host:port/vhost}. */
  public String brokerAddress() {
    return connectionFactory.getHost()
        + ":"
        + connectionFactory.getPort()
        + "/"
        + connectionFactory.getVirtualHost();
  }

  @Override
  public String toString() {
    return "RabbitMqPublisherConfig{broker="
        + brokerAddress()
        + ", connectionName="
        + connectionName
        + ", exchange='"
        + exchange
        + "', mandatory="
        + mandatory
        + ", persistent="
        + persistent
        + ", channels="
        + channels
        + ", confirmTimeout="
        + confirmTimeout
        + ", connectTimeout="
        + connectTimeout
        + ", recoveryInterval="
        + recoveryInterval
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", cloudEvents="
        + cloudEvents
        + '}';
  }
}
