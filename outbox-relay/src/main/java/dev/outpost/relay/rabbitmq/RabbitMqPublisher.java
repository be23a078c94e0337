package dev.outpost.relay.rabbitmq;

import com.rabbitmq.client.ConnectionFactory;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.ClientLibrary;
import dev.outpost.relay.rabbitmq.internal.ConfirmingRabbitMqPublisher;
import java.time.Duration;
import java.util.function.Function;

/**
 * Publishes relay batches to RabbitMQ with publisher confirms and reports a message as confirmed
 * only when the broker acked it and did not return it.
 *
 * <pre>{@code
 * Publisher rabbit = RabbitMqPublisher.builder()
 *     .uri("amqp://user:secret@rabbit-1:5672/%2f")
 *     .exchange("orders")                 // routing key = message topic
 *     .build();
 * }</pre>
 *
 * <p>Each message is published to {@link Builder#routing(Function)} (default: the configured
 * exchange with the message topic as routing key) with {@code mandatory}, delivery mode 2
 * (persistent), {@code BasicProperties.messageId} = the message id, {@code contentType} from the
 * {@code content-type} header, {@code timestamp} = when the message was written, and the message
 * headers (including {@code traceparent}/{@code tracestate} when captured) as AMQP headers;
 * optionally CloudEvents headers. Durable queues are the application's part of the bargain.
 *
 * <p>A batch is published pipelined on one channel in confirm mode and confirmed asynchronously by
 * delivery tag (a {@code multiple} ack confirms every tag up to it). All batches of an outbox
 * partition use the same channel, because RabbitMQ keeps publish order only per channel. Outcomes:
 * confirmed on ack; {@code failed} (retried by the relay) on a nack, a {@code basic.return}
 * (unroutable, see {@link UnroutableMessageException}; RabbitMQ acks such messages, Outpost does
 * not count them as sent), a channel or connection closed before the confirm, a broker blocked by a
 * resource alarm, no confirm within the confirm timeout (outcome unknown); {@code rejected}
 * (dead-lettered at once) for a payload above {@code maxMessageBytes}, or a routing function that
 * returns no destination. When a message fails or is rejected before it was published, later
 * messages of the same key in the batch are not published (failed); when a publish fails, the rest
 * of the batch fails.
 *
 * <p>The connection is opened on the first {@link #publish} (never by {@link Builder#build()}),
 * with automatic recovery; while it is down, batches fail at once and the relay backs off. A
 * channel is used by one batch at a time (channels are not safe for concurrent publishing); a batch
 * waits up to the confirm timeout for its partition's channel. A closed channel is replaced by a
 * new one on the next batch. Thread-safe. {@link #close()} is idempotent; batches published
 * afterwards fail.
 */
public interface RabbitMqPublisher extends Publisher {

  /**
   * Starts a configuration with the defaults of {@link RabbitMqPublisherConfig}. *
   *
   * @throws dev.outpost.outbox.OutpostException naming the dependency to add ({@code
   *     com.rabbitmq:amqp-client}) when the client library is not on the classpath
   */
  static Builder builder() {
    ClientLibrary.require(
        "com.rabbitmq.client.ConnectionFactory", "RabbitMqPublisher", "com.rabbitmq:amqp-client");
    return new Builder();
  }

  /** The configuration. */
  RabbitMqPublisherConfig config();

  /** Builds a {@link RabbitMqPublisher}. Not thread-safe. */
  final class Builder {
    private ConnectionFactory connectionFactory;
    private String connectionName = RabbitMqPublisherConfig.DEFAULT_CONNECTION_NAME;
    private String exchange = "";
    private Function<RelayMessage, Destination> routing;
    private boolean mandatory = true;
    private boolean persistent = true;
    private int channels = RabbitMqPublisherConfig.DEFAULT_CHANNELS;
    private Duration confirmTimeout = RabbitMqPublisherConfig.DEFAULT_CONFIRM_TIMEOUT;
    private Duration connectTimeout = RabbitMqPublisherConfig.DEFAULT_CONNECT_TIMEOUT;
    private Duration recoveryInterval = RabbitMqPublisherConfig.DEFAULT_RECOVERY_INTERVAL;
    private int maxMessageBytes = RabbitMqPublisherConfig.DEFAULT_MAX_MESSAGE_BYTES;
    private boolean cloudEvents;
    private String cloudEventsSource;
    private Function<RelayMessage, String> cloudEventsType = RelayMessage::topic;
    private Duration closeTimeout = RabbitMqPublisherConfig.DEFAULT_CLOSE_TIMEOUT;

    Builder() {}

    /**
     * The broker as an AMQP URI ({@code amqp[s]://user:pass@host:port/vhost}). Either this or
     * {@link #connectionFactory(ConnectionFactory)} is required.
     *
     * @throws IllegalArgumentException if the URI is not a valid AMQP URI (the message leaves the
     *     credentials out)
     */
    public Builder uri(String uri) {
      ConnectionFactory factory = new ConnectionFactory();
      try {
        factory.setUri(uri);
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "uri is not a valid AMQP URI (amqp://user:pass@host:5672/vhost): "
                + e.getClass().getSimpleName(),
            null);
      }
      this.connectionFactory = factory;
      return this;
    }

    /**
     * The connection factory (credentials, TLS, ...). The publisher works on a copy with automatic
     * recovery and NIO switched on and the timeouts of this builder applied.
     */
    public Builder connectionFactory(ConnectionFactory connectionFactory) {
      this.connectionFactory = connectionFactory;
      return this;
    }

    /** The connection name shown in the management UI. Defaults to {@code outpost-relay}. */
    public Builder connectionName(String connectionName) {
      this.connectionName = connectionName;
      return this;
    }

    /**
     * The exchange the default routing publishes to, with the message topic as routing key.
     * Defaults to {@code ""} (the default exchange: topic = queue name).
     */
    public Builder exchange(String exchange) {
      this.exchange = exchange;
      return this;
    }

    /**
     * Where a message is published; replaces the default routing ({@link #exchange(String)} +
     * topic). Must be fast and side-effect free. If it throws, the message fails (retried); if it
     * returns {@code null}, the message is rejected (dead-lettered).
     */
    public Builder routing(Function<RelayMessage, Destination> routing) {
      this.routing = routing;
      return this;
    }

    /**
     * Whether messages are published {@code mandatory}. Defaults to {@code true}; with {@code
     * false} RabbitMQ silently drops a message no queue is bound for, and the relay deletes it as
     * sent. Turn it off only for exchanges where dropping is intended.
     */
    public Builder mandatory(boolean mandatory) {
      this.mandatory = mandatory;
      return this;
    }

    /**
     * Whether messages are persistent (delivery mode 2). Defaults to {@code true}; with {@code
     * false} a confirmed message may live only in broker memory and is lost on a broker restart.
     */
    public Builder persistent(boolean persistent) {
      this.persistent = persistent;
      return this;
    }

    /**
     * How many channels publish (1..256). A channel carries one batch at a time and RabbitMQ keeps
     * order only per channel, so every outbox partition always publishes on the same channel
     * (partition mod channels); more channels let more partitions publish at the same moment.
     * Defaults to 8.
     */
    public Builder channels(int channels) {
      this.channels = channels;
      return this;
    }

    /**
     * How long a published message waits for the broker's confirm (100 ms..10 minutes); then it
     * counts as failed (unknown outcome, sent again later) and the channel is discarded. Also
     * bounds how long a publish waits for the socket. Defaults to 30 seconds.
     */
    public Builder confirmTimeout(Duration confirmTimeout) {
      this.confirmTimeout = confirmTimeout;
      return this;
    }

    /**
     * TCP connect, AMQP handshake and channel RPC timeout (100 ms..5 minutes). Defaults to 10
     * seconds.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /**
     * Pause between reconnection attempts after the connection was lost or could not be opened (10
     * ms..10 minutes). Defaults to 2 seconds.
     */
    public Builder recoveryInterval(Duration recoveryInterval) {
      this.recoveryInterval = recoveryInterval;
      return this;
    }

    /**
     * Largest payload in bytes (1..512 MiB); a larger message is rejected (dead-lettered) without
     * being sent. Set it to the broker's {@code max_message_size}. Defaults to 128 MiB.
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * Whether to add CloudEvents 1.0 attributes as AMQP headers with the AMQP binding's prefix:
     * {@code cloudEvents_specversion}, {@code cloudEvents_id} = message id, {@code
     * cloudEvents_source}, {@code cloudEvents_type}, {@code cloudEvents_time}, {@code
     * cloudEvents_subject} = key. Defaults to off.
     *
     * @param source the {@code source} attribute (a URI-reference); required when enabled
     */
    public Builder cloudEvents(boolean enabled, String source) {
      this.cloudEvents = enabled;
      this.cloudEventsSource = source;
      return this;
    }

    /** The CloudEvents {@code type} of a message. Defaults to the message's topic. */
    public Builder cloudEventsType(Function<RelayMessage, String> cloudEventsType) {
      this.cloudEventsType = cloudEventsType;
      return this;
    }

    /** How long {@link RabbitMqPublisher#close()} waits (0..10 minutes). Defaults to 10 seconds. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** The configuration these settings make, validated. */
    public RabbitMqPublisherConfig config() {
      String defaultExchange = exchange;
      Function<RelayMessage, Destination> effectiveRouting =
          routing != null
              ? routing
              : defaultExchange == null
                  ? null
                  : message -> new Destination(defaultExchange, message.topic());
      return new RabbitMqPublisherConfig(
          connectionFactory,
          connectionName,
          exchange,
          effectiveRouting,
          mandatory,
          persistent,
          channels,
          confirmTimeout,
          connectTimeout,
          recoveryInterval,
          maxMessageBytes,
          cloudEvents,
          cloudEventsSource,
          cloudEventsType,
          closeTimeout);
    }

    /**
     * The publisher; does not connect yet.
     *
     * @throws IllegalArgumentException naming the setting when a value is missing or out of range
     */
    public RabbitMqPublisher build() {
      return new ConfirmingRabbitMqPublisher(config());
    }
  }
}
