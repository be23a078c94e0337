package dev.outpost.relay.kafka;

import dev.outpost.common.internal.Check;
import dev.outpost.relay.RelayMessage;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Configuration of a {@link KafkaPublisher}, produced by {@link KafkaPublisher#builder()}.
 *
 * <p>The producer properties are validated against the safety the relay depends on: {@code
 * acks=all}, {@code enable.idempotence=true}, {@code max.in.flight.requests.per.connection <= 5},
 * {@code retries > 0}, no {@code transactional.id}, and serializers chosen by the publisher. A
 * property that weakens one of them is refused with an {@link IllegalArgumentException}; there is
 * no switch to turn the checks off.
 *
 * @param producerProperties the effective producer properties (defaults plus overrides), without
 *     the serializers; unmodifiable
 * @param topicMapper the Kafka topic of a message
 * @param cloudEvents whether CloudEvents binary-mode headers ({@code ce_*}) are added
 * @param cloudEventsSource the CloudEvents {@code source} attribute; {@code null} when off
 * @param cloudEventsType the CloudEvents {@code type} of a message
 * @param closeTimeout how long {@link KafkaPublisher#close()} waits for in-flight sends
 * @param producerFactory creates the producer from the effective properties (with serializers)
 */
public record KafkaPublisherConfig(
    Map<String, Object> producerProperties,
    Function<RelayMessage, String> topicMapper,
    boolean cloudEvents,
    String cloudEventsSource,
    Function<RelayMessage, String> cloudEventsType,
    Duration closeTimeout,
    Function<Map<String, Object>, Producer<byte[], byte[]>> producerFactory) {

  /** Default {@code delivery.timeout.ms}: 30 seconds. */
  public static final Duration DEFAULT_SEND_TIMEOUT = Duration.ofSeconds(30);

  /** Default {@code request.timeout.ms}: 10 seconds. */
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** Default {@code max.block.ms}: 10 seconds. */
  public static final Duration DEFAULT_MAX_BLOCK = Duration.ofSeconds(10);

  /** Default {@code linger.ms}: 5 milliseconds. */
  public static final Duration DEFAULT_LINGER = Duration.ofMillis(5);

  /** Default close timeout: 10 seconds. */
  public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Default {@code client.id}. */
  public static final String DEFAULT_CLIENT_ID = "outpost-relay";

  /** Largest {@code max.in.flight.requests.per.connection} that keeps order with idempotence. */
  public static final int MAX_IN_FLIGHT_LIMIT = 5;

  private static final Duration MIN_SEND_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration MAX_TIMEOUT = Duration.ofHours(1);

  /** Validates the values; see {@link KafkaPublisher.Builder} for the allowed values. */
  public KafkaPublisherConfig {
    Check.notNull("producerProperties", producerProperties);
    Check.notNull("topicMapper", topicMapper);
    Check.notNull("cloudEventsType", cloudEventsType);
    Check.notNull("closeTimeout", closeTimeout);
    Check.notNull("producerFactory", producerFactory);
    producerProperties = Map.copyOf(producerProperties);
    checkProducerProperties(producerProperties);
    if (cloudEvents && (cloudEventsSource == null || cloudEventsSource.isBlank())) {
      throw new IllegalArgumentException(
          "cloudEventsSource is '"
              + cloudEventsSource
              + "'; CloudEvents need a non-blank source URI-reference such as '/orders-service'");
    }
    if (!cloudEvents) {
      cloudEventsSource = null;
    }
    Check.range("closeTimeout", closeTimeout, Duration.ZERO, Duration.ofMinutes(10));
  }

  /** The producer's {@code delivery.timeout.ms}: the longest a send waits for its confirm. */
  public Duration sendTimeout() {
    return Duration.ofMillis(parsedInt(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
  }

  /** The producer's {@code request.timeout.ms}. */
  public Duration requestTimeout() {
    return Duration.ofMillis(parsedInt(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
  }

  /** The producer's {@code max.block.ms}: the longest a send blocks for metadata or buffer. */
  public Duration maxBlock() {
    return Duration.ofMillis(parsedLong(ProducerConfig.MAX_BLOCK_MS_CONFIG));
  }

  /** The producer's {@code max.request.size}: larger records are rejected before sending. */
  public int maxRequestSize() {
    return parsedInt(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
  }

  /** The producer's {@code buffer.memory}. */
  public long bufferMemory() {
    return parsedLong(ProducerConfig.BUFFER_MEMORY_CONFIG);
  }

  /** The producer properties with the publisher's byte-array serializers added. */
  public Map<String, Object> producerPropertiesWithSerializers() {
    Map<String, Object> all = new LinkedHashMap<>(producerProperties);
    all.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    all.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    return all;
  }

  private int parsedInt(String name) {
    return (int) number(parse(producerPropertiesWithSerializers()), name);
  }

  private long parsedLong(String name) {
    return number(parse(producerPropertiesWithSerializers()), name);
  }

  private static long number(Map<String, Object> parsed, String name) {
    return ((Number) parsed.get(name)).longValue();
  }

  private static void checkProducerProperties(Map<String, Object> properties) {
    for (String serializer :
        new String[] {
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG
        }) {
      if (properties.containsKey(serializer)) {
        throw new IllegalArgumentException(
            "producer property "
                + serializer
                + " is set to '"
                + properties.get(serializer)
                + "'; the publisher sends the outbox bytes as they are and sets the serializers"
                + " itself: remove it");
      }
    }
    if (!properties.containsKey(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
      throw new IllegalArgumentException(
          "bootstrap.servers is missing; set"
              + " KafkaPublisher.builder().bootstrapServers(\"host:9092\") or pass it in the"
              + " producer properties");
    }
    Map<String, Object> withSerializers = new LinkedHashMap<>(properties);
    withSerializers.put(
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    withSerializers.put(
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    Map<String, Object> parsed = parse(withSerializers);
    String acks = String.valueOf(parsed.get(ProducerConfig.ACKS_CONFIG)).trim();
    if (!acks.equalsIgnoreCase("all") && !acks.equals("-1")) {
      throw unsafe(
          ProducerConfig.ACKS_CONFIG,
          acks,
          "acks=all, so that a message counts as sent only once every in-sync replica has it");
    }
    if (!Boolean.TRUE.equals(parsed.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG))) {
      throw unsafe(
          ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
          parsed.get(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG),
          "enable.idempotence=true, so that the producer's own retries neither duplicate nor"
              + " reorder messages");
    }
    long inFlight = number(parsed, ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION);
    if (inFlight > MAX_IN_FLIGHT_LIMIT) {
      throw unsafe(
          ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
          inFlight,
          "a value in 1..5, the range in which the idempotent producer keeps per-partition order");
    }
    long retries = number(parsed, ProducerConfig.RETRIES_CONFIG);
    if (retries <= 0) {
      throw unsafe(
          ProducerConfig.RETRIES_CONFIG,
          retries,
          "retries > 0 (leave it unset); delivery.timeout.ms bounds the retrying");
    }
    if (parsed.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG) != null) {
      throw unsafe(
          ProducerConfig.TRANSACTIONAL_ID_CONFIG,
          parsed.get(ProducerConfig.TRANSACTIONAL_ID_CONFIG),
          "no transactional.id; the publisher confirms each record on its own and does not run"
              + " Kafka transactions");
    }
    checkTimeouts(parsed);
  }

  private static void checkTimeouts(Map<String, Object> parsed) {
    Duration delivery =
        Duration.ofMillis(number(parsed, ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG));
    Duration request = Duration.ofMillis(number(parsed, ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG));
    Duration linger = Duration.ofMillis(number(parsed, ProducerConfig.LINGER_MS_CONFIG));
    Duration block = Duration.ofMillis(number(parsed, ProducerConfig.MAX_BLOCK_MS_CONFIG));
    Check.range("sendTimeout (delivery.timeout.ms)", delivery, MIN_SEND_TIMEOUT, MAX_TIMEOUT);
    Check.range("requestTimeout (request.timeout.ms)", request, Duration.ofMillis(100), delivery);
    Check.range("maxBlock (max.block.ms)", block, Duration.ofMillis(100), Duration.ofMinutes(10));
    if (delivery.compareTo(request.plus(linger)) < 0) {
      throw new IllegalArgumentException(
          "sendTimeout (delivery.timeout.ms) is "
              + delivery.toMillis()
              + " ms; it must be at least request.timeout.ms + linger.ms = "
              + request.plus(linger).toMillis()
              + " ms");
    }
  }

  private static Map<String, Object> parse(Map<String, Object> properties) {
    try {
      return ProducerConfig.configDef().parse(properties);
    } catch (ConfigException e) {
      throw new IllegalArgumentException("invalid Kafka producer properties: " + e.getMessage(), e);
    }
  }

  private static IllegalArgumentException unsafe(String property, Object value, String needed) {
    return new IllegalArgumentException(
        "producer property "
            + property
            + " is '"
            + value
            + "'; the relay removes a row only when Kafka has really taken the message, which"
            + " needs "
            + needed
            + ". Remove the override.");
  }

  @Override
  public String toString() {
    return "KafkaPublisherConfig{producerProperties="
        + redacted(producerProperties)
        + ", cloudEvents="
        + cloudEvents
        + ", cloudEventsSource="
        + cloudEventsSource
        + ", closeTimeout="
        + closeTimeout
        + '}';
  }

  private static Map<String, Object> redacted(Map<String, Object> properties) {
    Map<String, Object> copy = new LinkedHashMap<>();
    properties.forEach((k, v) -> copy.put(k, secret(k) ? "[hidden]" : v));
    return copy;
  }

  /**
   * Whether a property may hold a secret: anything naming a password, secret, key, credential,
   * token, JAAS or auth setting (e.g. {@code ssl.keystore.key}, {@code basic.auth.user.info}),
   * except class names, which are not secret and help when reading a configuration.
   */
  static boolean secret(String name) {
    String n = name.toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".class") || n.endsWith(".classes") || n.endsWith(".serializer")) {
      return false;
    }
    return SECRET.matcher(n).find();
  }

  private static final java.util.regex.Pattern SECRET =
      java.util.regex.Pattern.compile(
          "password|secret|(^|[._-])key($|[._-])|credential|token|jaas|auth|private");
}
