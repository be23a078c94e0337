package dev.outpost.relay.kafka;

import dev.outpost.relay.Publisher;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.ClientLibrary;
import dev.outpost.relay.kafka.internal.ConfirmingKafkaPublisher;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;

/**
 * Publishes relay batches to Kafka and reports a message as confirmed only when Kafka acknowledged
 * it with {@code acks=all} from an idempotent producer.
 *
 * <pre>{@code
 * Publisher kafka = KafkaPublisher.builder()
 *     .bootstrapServers("kafka-1:9092,kafka-2:9092")
 *     .build();
 * }</pre>
 *
 * <p>Each message becomes one record: topic from {@link Builder#topicMapper(Function)} (default:
 * the message topic), record key = the message key as UTF-8 (so Kafka's partitioner keeps the
 * messages of a key in one partition, in order), value = the payload, headers = the message headers
 * (UTF-8 values, including {@code traceparent}/{@code tracestate} when captured) plus {@value
 * RelayMessage#MESSAGE_ID_HEADER} with the message id, and optionally CloudEvents binary-mode
 * headers. The record timestamp is left to the producer (send time); the write time travels in
 * {@code ce_time} when CloudEvents are on.
 *
 * <p>A batch is sent asynchronously and each message is confirmed from its own producer callback.
 * Outcomes: confirmed on the broker's ack; {@code failed} on any error or timeout ({@code
 * delivery.timeout.ms}, a safety deadline shortly after it, {@code max.block.ms} while waiting for
 * metadata or buffer space); {@code rejected} (dead-lettered at once) for a record larger than
 * {@code max.request.size}/{@code buffer.memory} or the broker's limit, an invalid topic name, a
 * record the broker refuses as invalid, or a topic mapper that returns no topic. When a message
 * fails or is rejected before the producer took it, the later messages of the batch with the same
 * key are not sent (failed); when a send blocks past {@code max.block.ms}, the later messages for
 * that topic are not sent either, and a second such block fails the rest of the batch unsent; when
 * the producer throws (closed, broken), the rest of the batch fails unsent.
 *
 * <p>The producer is created on the first {@link #publish} (never by {@link Builder#build()}) and
 * replaced if it becomes unusable. Thread-safe: share one publisher among all relay threads. {@link
 * #close()} waits up to the close timeout for in-flight sends; it is idempotent, and batches
 * published afterwards fail.
 */
public interface KafkaPublisher extends Publisher {

  /**
   * Starts a configuration with the safe defaults of {@link KafkaPublisherConfig}. *
   *
   * @throws dev.outpost.outbox.OutpostException naming the dependency to add ({@code
   *     org.apache.kafka:kafka-clients}) when the client library is not on the classpath
   */
  static Builder builder() {
    ClientLibrary.require(
        "org.apache.kafka.clients.producer.KafkaProducer",
        "KafkaPublisher",
        "org.apache.kafka:kafka-clients");
    return new Builder();
  }

  /** The configuration. */
  KafkaPublisherConfig config();

  /**
   * Builds a {@link KafkaPublisher}. Not thread-safe. Settings apply in call order: a typed setter
   * and a producer property for the same key overwrite each other, the last call wins.
   */
  final class Builder {
    private final Map<String, Object> properties = new LinkedHashMap<>();
    private Function<RelayMessage, String> topicMapper = RelayMessage::topic;
    private boolean cloudEvents;
    private String cloudEventsSource;
    private Function<RelayMessage, String> cloudEventsType = RelayMessage::topic;
    private Duration closeTimeout = KafkaPublisherConfig.DEFAULT_CLOSE_TIMEOUT;
    private Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory =
        KafkaProducer::new;

    Builder() {
      properties.put(ProducerConfig.ACKS_CONFIG, "all");
      properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
      properties.put(
          ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
          String.valueOf(KafkaPublisherConfig.MAX_IN_FLIGHT_LIMIT));
      properties.put(ProducerConfig.CLIENT_ID_CONFIG, KafkaPublisherConfig.DEFAULT_CLIENT_ID);
      sendTimeout(KafkaPublisherConfig.DEFAULT_SEND_TIMEOUT);
      requestTimeout(KafkaPublisherConfig.DEFAULT_REQUEST_TIMEOUT);
      maxBlock(KafkaPublisherConfig.DEFAULT_MAX_BLOCK);
      linger(KafkaPublisherConfig.DEFAULT_LINGER);
    }

    /** The brokers to bootstrap from ({@code host:port,...}). Required unless in properties. */
    public Builder bootstrapServers(String bootstrapServers) {
      return producerProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
    }

    /**
     * Producer properties (security, tuning, ...) added over the defaults. The defaults are {@code
     * acks=all}, {@code enable.idempotence=true}, {@code max.in.flight.requests.per.connection=5},
     * {@code linger.ms=5}, {@code delivery.timeout.ms=30000}, {@code request.timeout.ms=10000},
     * {@code max.block.ms=10000}, {@code client.id=outpost-relay}; everything else is Kafka's
     * default. Overrides that weaken delivery safety are refused by {@link #build()}.
     */
    public Builder producerProperties(Map<String, ?> producerProperties) {
      producerProperties.forEach(this::producerProperty);
      return this;
    }

    /** Like {@link #producerProperties(Map)}, from {@link Properties}. */
    public Builder producerProperties(Properties producerProperties) {
      producerProperties.forEach((k, v) -> producerProperty(String.valueOf(k), v));
      return this;
    }

    /** One producer property; see {@link #producerProperties(Map)}. */
    public Builder producerProperty(String name, Object value) {
      if (name == null || value == null) {
        throw new IllegalArgumentException(
            "producer property " + name + " = " + value + ": name and value must not be null");
      }
      properties.put(name, value instanceof Class<?> type ? type.getName() : value);
      return this;
    }

    /**
     * How long a message may take from send to the broker's ack, retries included ({@code
     * delivery.timeout.ms}); afterwards it counts as failed and the relay retries it later. 1
     * second..1 hour, at least {@code request.timeout.ms + linger.ms}. Defaults to 30 seconds.
     */
    public Builder sendTimeout(Duration sendTimeout) {
      return producerProperty(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, millis(sendTimeout));
    }

    /**
     * How long one produce request waits for the broker ({@code request.timeout.ms}). Defaults to
     * 10 seconds.
     */
    public Builder requestTimeout(Duration requestTimeout) {
      return producerProperty(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, millis(requestTimeout));
    }

    /**
     * How long a send may block waiting for topic metadata or buffer space ({@code max.block.ms};
     * 100 ms..10 minutes). A send that blocks this long fails the rest of its batch. Defaults to 10
     * seconds.
     */
    public Builder maxBlock(Duration maxBlock) {
      return producerProperty(ProducerConfig.MAX_BLOCK_MS_CONFIG, millis(maxBlock));
    }

    /** How long the producer waits to fill a batch ({@code linger.ms}). Defaults to 5 ms. */
    public Builder linger(Duration linger) {
      return producerProperty(ProducerConfig.LINGER_MS_CONFIG, millis(linger));
    }

    /**
     * Compression of record batches ({@code compression.type}: none, gzip, snappy, lz4, zstd).
     * Defaults to none.
     */
    public Builder compression(String compressionType) {
      return producerProperty(ProducerConfig.COMPRESSION_TYPE_CONFIG, compressionType);
    }

    /** The producer's {@code client.id}. Defaults to {@code outpost-relay}. */
    public Builder clientId(String clientId) {
      return producerProperty(ProducerConfig.CLIENT_ID_CONFIG, clientId);
    }

    /**
     * The Kafka topic of a message. Must be fast and side-effect free. If it throws, the message
     * fails (retried); if it returns {@code null} or a name Kafka does not allow, the message is
     * rejected (dead-lettered). Defaults to the message's topic.
     */
    public Builder topicMapper(Function<RelayMessage, String> topicMapper) {
      this.topicMapper = topicMapper;
      return this;
    }

    /**
     * Whether to add CloudEvents 1.0 binary-mode headers ({@code ce_specversion}, {@code ce_id} =
     * message id, {@code ce_source}, {@code ce_type}, {@code ce_time}, {@code ce_subject} = key).
     * Defaults to off.
     *
     * @param source the {@code ce_source} value (a URI-reference); required when enabled
     */
    public Builder cloudEvents(boolean enabled, String source) {
      this.cloudEvents = enabled;
      this.cloudEventsSource = source;
      return this;
    }

    /** The {@code ce_type} of a message. Defaults to the message's topic. */
    public Builder cloudEventsType(Function<RelayMessage, String> cloudEventsType) {
      this.cloudEventsType = cloudEventsType;
      return this;
    }

    /**
     * How long {@link KafkaPublisher#close()} waits for in-flight sends (0..10 minutes). Defaults
     * to 10 seconds.
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * Creates the producer from the effective properties (serializers included). For wrapping the
     * producer (instrumentation) and for tests. Defaults to {@code KafkaProducer::new}.
     */
    public Builder producerFactory(
        Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory) {
      this.producerFactory = producerFactory;
      return this;
    }

    /** The configuration these settings make, validated. */
    public KafkaPublisherConfig config() {
      return new KafkaPublisherConfig(
          properties,
          topicMapper,
          cloudEvents,
          cloudEventsSource,
          cloudEventsType,
          closeTimeout,
          producerFactory);
    }

    /**
     * The publisher; does not connect yet.
     *
     * @throws IllegalArgumentException naming the setting when a value is missing, out of range, or
     *     weakens delivery safety
     */
    public KafkaPublisher build() {
      return new ConfirmingKafkaPublisher(config());
    }

    private static String millis(Duration duration) {
      if (duration == null) {
        throw new IllegalArgumentException("timeout must not be null");
      }
      return String.valueOf(duration.toMillis());
    }
  }
}
