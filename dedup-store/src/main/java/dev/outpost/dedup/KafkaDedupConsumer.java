package dev.outpost.dedup;

import dev.outpost.common.internal.Check;
import dev.outpost.dedup.internal.ConsumerWork;
import dev.outpost.dedup.internal.DefaultKafkaDedupConsumer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jooq.DSLContext;

/**
 * A Kafka consumer loop that processes every record once in effect: each record runs through {@link
 * Dedup#processOnce} in a database transaction of its own, and offsets are committed ({@code
 * commitSync}) only after the database commits. A crash between the two re-delivers the record on
 * restart, and the dedup store skips it.
 *
 * <p><b>Message id.</b> Read from the {@value #MESSAGE_ID_HEADER} header (a UUID string in UTF-8,
 * as Outpost's Kafka publisher writes it). A header that is not a UUID string is hashed into a
 * name-based UUID ({@code UUID.nameUUIDFromBytes(headerBytes)}). A record <em>without</em> the
 * header gets {@code UUID.nameUUIDFromBytes("topic/partition/offset")}: that still skips Kafka
 * re-deliveries of the same record, but not a producer's second send of the same message (a
 * different offset).
 *
 * <p><b>Failures.</b> When the handler (or the database) throws, the transaction rolls back, the
 * partition is rewound to the failed record and paused for a backoff (doubling from {@code
 * retryBackoff} up to {@code maxRetryBackoff}), then the record is retried. A record is never
 * skipped: a record that always fails holds back its partition (other partitions go on). Route such
 * records to a dead-letter topic in your handler if that is what you want.
 *
 * <p><b>Threads.</b> {@link #start()} runs the loop on a thread named {@code
 * outpost-dedup-kafka-<consumer>}; alternatively call {@link #runOnce()} from your own thread. The
 * Kafka consumer is only used by one thread at a time. {@link #close()} is thread-safe.
 *
 * <pre>{@code
 * KafkaDedupConsumer<String, String> consumer = KafkaDedupConsumer.<String, String>builder()
 *     .consumerProperties(props)            // bootstrap.servers, group.id, deserializers
 *     .topics(List.of("orders"))
 *     .consumerName("inventory")
 *     .dataSource(dataSource)
 *     .handler((tx, record) -> reserveStock(tx, record.value()))
 *     .build();
 * consumer.start();
 * }</pre>
 *
 * @param <K> record key type
 * @param <V> record value type
 */
public interface KafkaDedupConsumer<K, V> extends AutoCloseable {

  /** The header holding the message id (UUID string, UTF-8), as Outpost's publisher writes it. */
  String MESSAGE_ID_HEADER = "outpost-message-id";

  /** Default {@code poll} timeout: 500 ms. */
  Duration DEFAULT_POLL_TIMEOUT = Duration.ofMillis(500);

  /** Default first retry backoff after a failed record: 1 second. */
  Duration DEFAULT_RETRY_BACKOFF = Duration.ofSeconds(1);

  /** Default longest retry backoff: 30 seconds. */
  Duration DEFAULT_MAX_RETRY_BACKOFF = Duration.ofSeconds(30);

  /** Default timeout of {@code commitSync}: 30 seconds. */
  Duration DEFAULT_COMMIT_TIMEOUT = Duration.ofSeconds(30);

  /** Default bound on how long {@link #close()} waits for the loop: 30 seconds. */
  Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(30);

  /** Business work for one record on a jOOQ transaction. */
  @FunctionalInterface
  interface Handler<K, V> {
    /**
     * Processes {@code record} on {@code tx}; throw to roll back and retry the record.
     *
     * @param tx the record's transaction ({@code DSL.using(connection, SQLDialect.POSTGRES)})
     * @param record the record
     */
    void handle(DSLContext tx, ConsumerRecord<K, V> record);
  }

  /** Business work for one record on a JDBC transaction. */
  @FunctionalInterface
  interface JdbcHandler<K, V> {
    /**
     * Processes {@code record} on {@code tx} (auto-commit off; do not commit it yourself); throw to
     * roll back and retry the record.
     *
     * @throws SQLException when a statement fails; the record is retried
     */
    void handle(Connection tx, ConsumerRecord<K, V> record) throws SQLException;
  }

  /**
   * Work for one record run through a {@link DedupStore} given to {@link
   * Builder#dedupStore(DedupStore, StoreHandler)}.
   *
   * @param <C> what the store hands the work: the transaction's {@link Connection} for {@link
   *     DedupStore#database}, the {@link RedisClaim} for {@link RedisDedup}
   * @param <K> record key type
   * @param <V> record value type
   */
  @FunctionalInterface
  interface StoreHandler<C, K, V> {
    /**
     * Processes {@code record}; throw to have it retried (the store forgets the message).
     *
     * @param context the store's context for this record
     * @param record the record
     */
    void handle(C context, ConsumerRecord<K, V> record) throws Exception;
  }

  /** Starts a configuration; give the key and value types explicitly. */
  static <K, V> Builder<K, V> builder() {
    return new Builder<>();
  }

  /**
   * Creates and subscribes the Kafka consumer on the calling thread (so bad configuration fails
   * here), then starts the poll thread. A second call is a no-op.
   *
   * @throws IllegalStateException when closed, or after {@link #runOnce()} was used
   * @throws org.apache.kafka.common.KafkaException when the consumer cannot be created
   */
  void start();

  /**
   * Polls once on the calling thread and processes what arrived, then commits the offsets of the
   * records whose transactions committed. Creates and subscribes the consumer on first use. Not for
   * use together with {@link #start()} or from several threads at once.
   *
   * @return the number of records whose transaction committed (work ran or duplicate skipped)
   * @throws IllegalStateException when started or closed
   */
  int runOnce();

  /** The dedup store's counts of this consumer name. */
  DedupCounts counts();

  /** The configuration this consumer was built with. */
  KafkaDedupConsumerConfig config();

  /**
   * Stops the loop after the record in progress (waits at most {@code closeTimeout}) and closes the
   * Kafka consumer. Uncommitted records are delivered again later. Idempotent; works without {@link
   * #start()}.
   */
  @Override
  void close();

  /**
   * Configuration of {@link KafkaDedupConsumer}. Not thread-safe.
   *
   * @param <K> record key type
   * @param <V> record value type
   */
  final class Builder<K, V> {
    private Map<String, Object> consumerProperties;
    private Supplier<? extends Consumer<K, V>> consumerFactory;
    private List<String> topics;
    private String consumerName;
    private final ConsumerWork<ConsumerRecord<K, V>> work = new ConsumerWork<>();
    private Duration pollTimeout = DEFAULT_POLL_TIMEOUT;
    private Duration retryBackoff = DEFAULT_RETRY_BACKOFF;
    private Duration maxRetryBackoff = DEFAULT_MAX_RETRY_BACKOFF;
    private Duration commitTimeout = DEFAULT_COMMIT_TIMEOUT;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * Properties of the {@code KafkaConsumer} to create: must contain {@code bootstrap.servers},
     * {@code group.id}, {@code key.deserializer} and {@code value.deserializer}. {@code
     * enable.auto.commit} is forced to {@code false} (setting it to {@code true} is an error).
     * Exactly one of this and {@link #consumerFactory} is required.
     */
    public Builder<K, V> consumerProperties(Map<String, Object> consumerProperties) {
      this.consumerProperties = consumerProperties;
      return this;
    }

    /**
     * Creates the Kafka consumer instead of {@link #consumerProperties}; the consumer must have a
     * {@code group.id} and {@code enable.auto.commit=false} (it cannot be checked here). Called
     * once, by {@link #start()} or the first {@link #runOnce()}; the consumer is closed by {@link
     * #close()}.
     */
    public Builder<K, V> consumerFactory(Supplier<? extends Consumer<K, V>> consumerFactory) {
      this.consumerFactory = consumerFactory;
      return this;
    }

    /** The topics to subscribe to. Required, not empty. */
    public Builder<K, V> topics(List<String> topics) {
      this.topics = topics;
      return this;
    }

    /**
     * The consumer name in the dedup keys; usually the consumer group. Required, 1 to {@value
     * Dedup#MAX_CONSUMER_LENGTH} characters.
     */
    public Builder<K, V> consumerName(String consumerName) {
      this.consumerName = consumerName;
      return this;
    }

    /** The database of the business tables and the {@code dedup_key} table. Required. */
    public Builder<K, V> dataSource(DataSource dataSource) {
      work.dataSource(dataSource);
      return this;
    }

    /** The dedup store. Defaults to {@code Dedup.builder().build()} (schema {@code public}). */
    public Builder<K, V> dedup(Dedup dedup) {
      work.dedup(dedup);
      return this;
    }

    /**
     * Runs each record through {@code store} instead of the database path ({@link #dataSource},
     * {@link #dedup}, {@link #handler}, {@link #jdbcHandler}, which must then stay unset). Use it
     * with a {@link RedisDedup} for work whose effect is not in the database:
     *
     * <pre>{@code
     * .dedupStore(redisDedup, (claim, record) -> sms.send(record.value()))
     * }</pre>
     *
     * <p>The offset of a record is committed once the store returns {@link
     * ProcessOutcome#PROCESSED}, {@link ProcessOutcome#DUPLICATE} or {@link
     * ProcessOutcome#PROCESSED_UNRECORDED}. {@link ProcessOutcome#IN_PROGRESS} (another delivery of
     * the same message is being processed) and failures rewind and pause the partition for the
     * retry backoff, as described above.
     *
     * @param store the store, e.g. a {@link RedisDedup} or {@link DedupStore#database}
     * @param handler the work for one record
     * @param <C> what the store hands the work
     */
    public <C> Builder<K, V> dedupStore(DedupStore<C> store, StoreHandler<C, K, V> handler) {
      work.store(store, handler == null ? null : handler::handle);
      return this;
    }

    /** The business work on a jOOQ transaction. Exactly one handler is required. */
    public Builder<K, V> handler(Handler<K, V> handler) {
      work.handler(handler == null ? null : handler::handle);
      return this;
    }

    /** The business work on a JDBC transaction. Exactly one handler is required. */
    public Builder<K, V> jdbcHandler(JdbcHandler<K, V> jdbcHandler) {
      work.jdbcHandler(jdbcHandler == null ? null : jdbcHandler::handle);
      return this;
    }

    /** How long one {@code poll} waits for records. Positive. Defaults to 500 ms. */
    public Builder<K, V> pollTimeout(Duration pollTimeout) {
      this.pollTimeout = pollTimeout;
      return this;
    }

    /** Backoff before the first retry of a failed record. Positive. Defaults to 1 second. */
    public Builder<K, V> retryBackoff(Duration retryBackoff) {
      this.retryBackoff = retryBackoff;
      return this;
    }

    /** Longest backoff between retries of a record. At least retryBackoff. Defaults to 30 s. */
    public Builder<K, V> maxRetryBackoff(Duration maxRetryBackoff) {
      this.maxRetryBackoff = maxRetryBackoff;
      return this;
    }

    /** Timeout of each offset commit. Positive. Defaults to 30 seconds. */
    public Builder<K, V> commitTimeout(Duration commitTimeout) {
      this.commitTimeout = commitTimeout;
      return this;
    }

    /** Bound on how long {@link #close()} waits. Not negative. Defaults to 30 seconds. */
    public Builder<K, V> closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /** The clock of retry backoffs. Defaults to {@link Clock#systemUTC()}. */
    public Builder<K, V> clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * The configuration these settings make, validated (without the collaborators).
     *
     * @throws IllegalArgumentException naming the field, its value and what is allowed
     */
    public KafkaDedupConsumerConfig config() {
      return new KafkaDedupConsumerConfig(
          topics,
          consumerName,
          pollTimeout,
          retryBackoff,
          maxRetryBackoff,
          commitTimeout,
          closeTimeout);
    }

    /**
     * Validates the configuration; creates no Kafka consumer and starts no thread.
     *
     * @throws IllegalArgumentException naming the bad field, its value and what is allowed
     */
    public KafkaDedupConsumer<K, V> build() {
      KafkaDedupConsumerConfig config = config();
      Supplier<? extends Consumer<K, V>> factory = factory();
      Check.notNull("clock", clock);
      return new DefaultKafkaDedupConsumer<>(
          config, factory, clock, work.deliveries(config.consumerName()));
    }

    private Supplier<? extends Consumer<K, V>> factory() {
      if ((consumerProperties == null) == (consumerFactory == null)) {
        throw new IllegalArgumentException(
            "set exactly one of consumerProperties and consumerFactory; "
                + (consumerFactory == null ? "none is set" : "both are set"));
      }
      if (consumerFactory != null) {
        return consumerFactory;
      }
      Map<String, Object> props = new HashMap<>(consumerProperties);
      for (String required :
          List.of(
              ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
              ConsumerConfig.GROUP_ID_CONFIG,
              ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
              ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG)) {
        if (props.get(required) == null || props.get(required).toString().isBlank()) {
          throw new IllegalArgumentException(
              "consumerProperties lacks '" + required + "'; the Kafka consumer needs it");
        }
      }
      Object autoCommit = props.get(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG);
      if (autoCommit != null && Boolean.parseBoolean(autoCommit.toString())) {
        throw new IllegalArgumentException(
            "consumerProperties has enable.auto.commit="
                + autoCommit
                + ", which would commit offsets before the database commits (a crash would lose"
                + " records); remove it, the consumer commits after each database commit");
      }
      props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
      Map<String, Object> frozen = Map.copyOf(props);
      return () -> new org.apache.kafka.clients.consumer.KafkaConsumer<K, V>(frozen);
    }
  }
}
