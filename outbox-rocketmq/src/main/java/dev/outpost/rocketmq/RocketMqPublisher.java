package dev.outpost.rocketmq;

import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.rocketmq.internal.ConfirmingRocketMqPublisher;
import dev.outpost.rocketmq.internal.InstanceNames;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.remoting.RPCHook;

/**
 * Publishes relay batches to Apache RocketMQ and reports a message as confirmed only when the
 * broker answered {@code SEND_OK}.
 *
 * <pre>{@code
 * Publisher rocketmq = RocketMqPublisher.builder()
 *     .namesrvAddress("namesrv-1:9876;namesrv-2:9876")
 *     .build();
 * }</pre>
 *
 * <p>Each message becomes one RocketMQ message: topic from {@link Builder#topicMapper(Function)}
 * (default: the message topic), body = the payload, keys = the message id and the message key (so
 * both can be looked up in the console), user properties = the message headers (including {@code
 * traceparent}/{@code tracestate} when captured) plus {@value RelayMessage#MESSAGE_ID_HEADER} with
 * the message id. The queue is chosen by a {@code MessageQueueSelector} on the message key (hash of
 * the key modulo the topic's write queues), so all messages of a key land in one queue; keyless
 * messages are spread by message id. Adding write queues to a topic moves keys to other queues: do
 * it when the topic is drained if consumers rely on per-key order.
 *
 * <p><b>Confirms.</b> Sends are asynchronous, at most {@code maxInFlight} at a time over all
 * batches, so a batch of distinct keys is confirmed in one round trip. Messages of one key are
 * chained: the next is sent when the previous one is confirmed (RocketMQ does not promise the order
 * of concurrent asynchronous sends to one queue). Outcomes: confirmed on {@code SEND_OK}; {@code
 * FLUSH_DISK_TIMEOUT}, {@code FLUSH_SLAVE_TIMEOUT} and {@code SLAVE_NOT_AVAILABLE} count as failed
 * ({@link NotDurableException}, retried) unless {@link Builder#acceptUnflushed(boolean)}; {@code
 * failed} (retried by the relay) on an error, a broker refusal, an unknown topic ("No route info",
 * the topic does not exist or no name server answers), or no answer within the send timeout
 * (outcome unknown); {@code rejected} (dead-lettered at once) for a message above {@code
 * maxMessageBytes}, an illegal topic name, headers RocketMQ cannot carry (reserved property names,
 * empty values), or a broker answer that the message is illegal. When a message of a key fails or
 * is rejected, the later messages of that key in the batch are not sent (failed).
 *
 * <p>The producer is created and started on the first {@link #publish} (never by {@link
 * Builder#build()}). Thread-safe: share one publisher among all relay threads. {@link #close()}
 * waits up to the close timeout for in-flight sends, then shuts the producer down; it is
 * idempotent, and batches published afterwards fail.
 */
public interface RocketMqPublisher extends Publisher {

  /** Starts a configuration with the defaults of {@link RocketMqPublisherConfig}. */
  static Builder builder() {
    return new Builder();
  }

  /** The configuration. */
  RocketMqPublisherConfig config();

  /** Builds a {@link RocketMqPublisher}. Not thread-safe. */
  final class Builder {
    private String namesrvAddress;
    private String producerGroup = RocketMqPublisherConfig.DEFAULT_PRODUCER_GROUP;
    private String instanceName;
    private Function<RelayMessage, String> topicMapper = RelayMessage::topic;
    private boolean acceptUnflushed;
    private Duration sendTimeout = RocketMqPublisherConfig.DEFAULT_SEND_TIMEOUT;
    private int maxInFlight = RocketMqPublisherConfig.DEFAULT_MAX_IN_FLIGHT;
    private int maxMessageBytes = RocketMqPublisherConfig.DEFAULT_MAX_MESSAGE_BYTES;
    private Duration closeTimeout = RocketMqPublisherConfig.DEFAULT_CLOSE_TIMEOUT;
    private RPCHook rpcHook;
    private Consumer<DefaultMQProducer> producerCustomizer = producer -> {};

    Builder() {}

    /** The name servers, {@code host:port} separated by {@code ;}. Required. */
    public Builder namesrvAddress(String namesrvAddress) {
      this.namesrvAddress = namesrvAddress;
      return this;
    }

    /** The producer group. Defaults to {@code outpost-relay}. */
    public Builder producerGroup(String producerGroup) {
      this.producerGroup = producerGroup;
      return this;
    }

    /**
     * The client instance name. Defaults to a name unique in this JVM ({@code
     * outpost-relay-<pid>-<n>}), so that two publishers never share one RocketMQ client.
     */
    public Builder instanceName(String instanceName) {
      this.instanceName = instanceName;
      return this;
    }

    /**
     * The RocketMQ topic of a message. Must be fast and side-effect free. If it throws, the message
     * fails (retried); if it returns {@code null} or an illegal name, the message is rejected
     * (dead-lettered). Defaults to the message's topic.
     */
    public Builder topicMapper(Function<RelayMessage, String> topicMapper) {
      this.topicMapper = topicMapper;
      return this;
    }

    /**
     * Whether {@code FLUSH_DISK_TIMEOUT}, {@code FLUSH_SLAVE_TIMEOUT} and {@code
     * SLAVE_NOT_AVAILABLE} count as confirmed. Defaults to {@code false}: on a broker with {@code
     * flushDiskType=SYNC_FLUSH} or {@code brokerRole=SYNC_MASTER} these statuses mean the message
     * is not as durable as the deployment promises, so it is sent again (a possible duplicate). Set
     * {@code true} for {@code ASYNC_FLUSH}/{@code ASYNC_MASTER} deployments, where a stored message
     * is all the broker promises anyway.
     */
    public Builder acceptUnflushed(boolean acceptUnflushed) {
      this.acceptUnflushed = acceptUnflushed;
      return this;
    }

    /**
     * How long one send may take, route lookup included (100 ms..10 minutes); afterwards the
     * message counts as failed (unknown outcome, sent again later). Defaults to 10 seconds.
     */
    public Builder sendTimeout(Duration sendTimeout) {
      this.sendTimeout = sendTimeout;
      return this;
    }

    /**
     * How many messages may await the broker's answer at once, over all batches (1..65,535). A
     * batch waits up to the send timeout for room. Defaults to 1,024.
     */
    public Builder maxInFlight(int maxInFlight) {
      this.maxInFlight = maxInFlight;
      return this;
    }

    /**
     * Largest message in bytes, body plus properties (1 byte..1 GiB); a larger message is rejected
     * (dead-lettered) without being sent. Set it to the broker's {@code maxMessageSize}. Defaults
     * to 4 MiB.
     */
    public Builder maxMessageBytes(int maxMessageBytes) {
      this.maxMessageBytes = maxMessageBytes;
      return this;
    }

    /**
     * How long {@link RocketMqPublisher#close()} waits for in-flight sends (0..10 minutes).
     * Defaults to 10 seconds.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * The hook that signs requests, e.g. {@code new AclClientRPCHook(new SessionCredentials(ak,
     * sk))} for a broker with ACL. Defaults to none.
     */
    public Builder rpcHook(RPCHook rpcHook) {
      this.rpcHook = rpcHook;
      return this;
    }

    /**
     * Applied to the producer before it starts, after the publisher's own settings: TLS, namespace,
     * compression, client tuning. Changing the send timeout, the retry counts or the maximum
     * message size here is not supported (use this builder). Defaults to nothing.
     */
    public Builder producerCustomizer(Consumer<DefaultMQProducer> producerCustomizer) {
      this.producerCustomizer = producerCustomizer;
      return this;
    }

    /** The configuration these settings make, validated. */
    public RocketMqPublisherConfig config() {
      return new RocketMqPublisherConfig(
          namesrvAddress,
          producerGroup,
          instanceName != null ? instanceName : InstanceNames.unique("outpost-relay"),
          topicMapper,
          acceptUnflushed,
          sendTimeout,
          maxInFlight,
          maxMessageBytes,
          closeTimeout,
          rpcHook,
          producerCustomizer);
    }

    /**
     * The publisher; does not connect yet.
     *
     * @throws IllegalArgumentException naming the setting when a value is missing or out of range
     */
    public RocketMqPublisher build() {
      return new ConfirmingRocketMqPublisher(config());
    }
  }
}
