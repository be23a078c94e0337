package dev.outpost.rocketmq;

import dev.outpost.common.internal.Check;
import dev.outpost.relay.RelayMessage;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.remoting.RPCHook;

/**
 * Configuration of a {@link RocketMqPublisher}, produced by {@link RocketMqPublisher#builder()}.
 *
 * @param namesrvAddress the name servers, {@code host:port;host:port}
 * @param producerGroup the producer group
 * @param instanceName the client instance name; unique per publisher so that several publishers (or
 *     clusters) in one JVM get their own client
 * @param topicMapper the RocketMQ topic of a message
 * @param acceptUnflushed whether {@code FLUSH_DISK_TIMEOUT}, {@code FLUSH_SLAVE_TIMEOUT} and {@code
 *     SLAVE_NOT_AVAILABLE} count as confirmed (for asynchronous-flush, asynchronous-replication
 *     deployments)
 * @param sendTimeout how long one send may take, route lookup included
 * @param maxInFlight how many messages the publisher has in flight at most, over all batches
 * @param maxMessageBytes largest message (body plus properties); larger ones are rejected
 * @param closeTimeout how long {@link RocketMqPublisher#close()} waits for in-flight sends
 * @param rpcHook the hook signing requests (ACL credentials), or {@code null}
 * @param producerCustomizer applied to the producer before it starts (TLS, namespace, tuning)
 */
public record RocketMqPublisherConfig(
    String namesrvAddress,
    String producerGroup,
    String instanceName,
    Function<RelayMessage, String> topicMapper,
    boolean acceptUnflushed,
    Duration sendTimeout,
    int maxInFlight,
    int maxMessageBytes,
    Duration closeTimeout,
    RPCHook rpcHook,
    Consumer<DefaultMQProducer> producerCustomizer) {

  /** Default producer group. */
  public static final String DEFAULT_PRODUCER_GROUP = "outpost-relay";

  /** Default send timeout: 10 seconds. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(10);

  /** Default number of messages in flight: 1,024. */
  public static final int DEFAULT_MAX_IN_FLIGHT = 1024;

  /** Upper bound of {@code maxInFlight}. */
  public static final int MAX_IN_FLIGHT_LIMIT = 65_535;

  /** Default largest message: 4 MiB, the broker's default {@code maxMessageSize}. */
  public static final int DEFAULT_MAX_MESSAGE_BYTES = 4 * 1024 * 1024;

  /** Upper bound of {@code maxMessageBytes}: 1 GiB. */
  public static final int MAX_MESSAGE_BYTES_LIMIT = 1024 * 1024 * 1024;

  /** Default close timeout: 10 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Validates the values; see {@link RocketMqPublisher.Builder} for the allowed ranges. */
  public RocketMqPublisherConfig {
    if (namesrvAddress == null || namesrvAddress.isBlank()) {
      throw new IllegalArgumentException(
          "namesrvAddress is '"
              + namesrvAddress
              + "'; set RocketMqPublisher.builder().namesrvAddress(\"host:9876\")");
    }
    requireName("producerGroup", producerGroup);
    requireName("instanceName", instanceName);
    if (topicMapper == null) {
      throw new IllegalArgumentException("topicMapper must not be null");
    }
    if (producerCustomizer == null) {
      throw new IllegalArgumentException("producerCustomizer must not be null");
    }
    Check.range("sendTimeout", sendTimeout, Duration.ofMillis(100), Duration.ofMinutes(10));
    Check.range("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofMinutes(10));
    if (maxInFlight < 1 || maxInFlight > MAX_IN_FLIGHT_LIMIT) {
      throw new IllegalArgumentException(
          "maxInFlight is " + maxInFlight + "; allowed 1.." + MAX_IN_FLIGHT_LIMIT);
    }
    if (maxMessageBytes < 1 || maxMessageBytes > MAX_MESSAGE_BYTES_LIMIT) {
      throw new IllegalArgumentException(
          "maxMessageBytes is " + maxMessageBytes + "; allowed 1.." + MAX_MESSAGE_BYTES_LIMIT);
    }
  }

  private static void requireName(String field, String value) {
    if (value == null || value.isBlank() || !value.matches("[%|a-zA-Z0-9_@.-]{1,255}")) {
      throw new IllegalArgumentException(
          field + " is '" + value + "'; use 1..255 characters of [a-zA-Z0-9_@.%|-]");
    }
  }

  @Override
  public String toString() {
    return "RocketMqPublisherConfig{namesrv="
        + namesrvAddress
        + ", producerGroup="
        + producerGroup
        + ", instanceName="
        + instanceName
        + ", acceptUnflushed="
        + acceptUnflushed
        + ", sendTimeout="
        + sendTimeout
        + ", maxInFlight="
        + maxInFlight
        + ", maxMessageBytes="
        + maxMessageBytes
        + ", closeTimeout="
        + closeTimeout
        + ", acl="
        + (rpcHook != null)
        + '}';
  }
}
