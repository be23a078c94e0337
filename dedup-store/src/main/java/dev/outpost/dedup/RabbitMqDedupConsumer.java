package dev.outpost.dedup;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import dev.outpost.common.internal.Check;
import dev.outpost.dedup.internal.ConsumerWork;
import dev.outpost.dedup.internal.DefaultRabbitMqDedupConsumer;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/**
 * A RabbitMQ consumer that processes every message once in effect: each delivery runs through
 * {@link Dedup#processOnce} in a database transaction of its own and is acknowledged (manual ack)
 * only after the database commits. A crash or a closed channel between the two makes the broker
 * deliver the message again, and the dedup store skips it (and the message is acked).
 *
 * <p><b>Message id.</b> Read from {@code BasicProperties.messageId}, the UUID string Outpost's
 * RabbitMQ publisher writes. Another non-blank message id is hashed into a name-based UUID ({@code
 * UUID.nameUUIDFromBytes(utf8(messageId))}), so it still deduplicates. A message <em>without</em> a
 * message id cannot be deduplicated: it is rejected without requeue (to the queue's dead-letter
 * exchange) and logged.
 *
 * <p><b>Failures.</b> When the handler throws, the transaction rolls back, the worker waits {@code
 * retryDelay} (holding back the deliveries behind it) and nacks the delivery with requeue. Once a
 * message's handler has failed more than {@code maxRedeliveries} times it is rejected without
 * requeue, so the queue's dead-letter exchange takes it: <b>declare the queue with {@code
 * x-dead-letter-exchange}</b>, otherwise RabbitMQ drops rejected messages. Failures are counted as
 * the larger of an in-memory count per message id (this consumer instance only) and the {@value
 * #DELIVERY_COUNT_HEADER} header that quorum queues put on redelivered messages (which counts
 * across consumers). When the <em>database</em> fails (no connection, failed key insert or commit),
 * the message is requeued after {@code retryDelay} without counting (quorum queues still count it
 * in their header): an outage never dead-letters good messages.
 *
 * <p><b>Threads.</b> Deliveries are handed to one worker thread named {@code
 * outpost-dedup-rabbit-<consumer>}, which runs the transactions and acks; at most {@code prefetch}
 * deliveries are in flight. The channel belongs to the caller, who closes it after this consumer.
 * {@link #close()} is thread-safe.
 *
 * <pre>{@code
 * try (RabbitMqDedupConsumer consumer = RabbitMqDedupConsumer.builder()
 *     .channel(connection.createChannel())
 *     .queue("inventory.orders")
 *     .consumerName("inventory")
 *     .dataSource(dataSource)
 *     .handler((tx, delivery) -> reserveStock(tx, delivery.getBody()))
 *     .build()) {
 *   consumer.start();
 *   ...
 * }
 * }</pre>
 */
public interface RabbitMqDedupConsumer extends AutoCloseable {

  /** The header quorum queues set on redelivered messages: the number of earlier deliveries. */
  String DELIVERY_COUNT_HEADER = "x-delivery-count";

  /** Default number of redeliveries after failures before a message is dead-lettered: 5. */
  int DEFAULT_MAX_REDELIVERIES = 5;

  /** Default number of unacknowledged deliveries in flight ({@code basic.qos}): 32. */
  int DEFAULT_PREFETCH = 32;

  /** Default pause before a failed delivery is requeued: 500 ms. */
  Duration DEFAULT_RETRY_DELAY = Duration.ofMillis(500);

  /** Default bound on how long {@link #close()} waits for the delivery in progress: 10 s. */
  Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

  /** Business work for one delivery on a jOOQ transaction. */
  @FunctionalInterface
  interface Handler {
    /**
     * Processes {@code delivery} on {@code tx}; throw to roll back and have it redelivered.
     *
     * @param tx the delivery's transaction ({@code DSL.using(connection, SQLDialect.POSTGRES)})
     * @param delivery the message
     */
    void handle(DSLContext tx, Delivery delivery);
  }

  /** Business work for one delivery on a JDBC transaction. */
  @FunctionalInterface
  interface JdbcHandler {
    /**
     * Processes {@code delivery} on {@code tx} (auto-commit off; do not commit it yourself); throw
     * to roll back and have it redelivered.
     *
     * @throws SQLException when a statement fails; the message is redelivered
     */
    void handle(Connection tx, Delivery delivery) throws SQLException;
  }

  /**
   * Work for one delivery run through a {@link DedupStore} given to {@link
   * Builder#dedupStore(DedupStore, StoreHandler)}.
   *
   * @param <C> what the store hands the work: the transaction's {@link Connection} for {@link
   *     DedupStore#database}, the {@link RedisClaim} for {@link RedisDedup}
   */
  @FunctionalInterface
  interface StoreHandler<C> {
    /**
     * Processes {@code delivery}; throw to have it redelivered (the store forgets the message).
     *
     * @param context the store's context for this delivery
     * @param delivery the message
     */
    void handle(C context, Delivery delivery) throws Exception;
  }

  /** Starts a configuration with the defaults. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Sets {@code basic.qos(prefetch)}, starts the worker thread and subscribes ({@code
   * basic.consume} with manual ack). A second call is a no-op.
   *
   * @throws IllegalStateException when closed
   * @throws DedupException when the broker refuses the subscription (e.g. no such queue)
   */
  void start();

  /** The dedup store's counts of this consumer name. */
  DedupCounts counts();

  /** The configuration this consumer was built with. */
  RabbitMqDedupConsumerConfig config();

  /**
   * Cancels the subscription, lets the worker finish the delivery in progress (waits at most {@code
   * closeTimeout}) and requeues ({@code basic.nack}) deliveries not yet started. Does not close the
   * channel. Idempotent; works without {@link #start()}.
   */
  @Override
  void close();

  /** Configuration of {@link RabbitMqDedupConsumer}. Not thread-safe. */
  final class Builder {
    private Channel channel;
    private String queue;
    private String consumerName;
    private final ConsumerWork<Delivery> work = new ConsumerWork<>();
    private int maxRedeliveries = DEFAULT_MAX_REDELIVERIES;
    private int prefetch = DEFAULT_PREFETCH;
    private Duration retryDelay = DEFAULT_RETRY_DELAY;
    private Duration closeTimeout = DEFAULT_CLOSE_TIMEOUT;

    private Builder() {}

    /** The channel to consume on; owned by the caller, not closed by the consumer. Required. */
    public Builder channel(Channel channel) {
      this.channel = channel;
      return this;
    }

    /** The queue to consume from. Required, not blank. */
    public Builder queue(String queue) {
      this.queue = queue;
      return this;
    }

    /**
     * The consumer name in the dedup keys. Required, 1 to {@value Dedup#MAX_CONSUMER_LENGTH}
     * characters.
     */
    public Builder consumerName(String consumerName) {
      this.consumerName = consumerName;
      return this;
    }

    /** The database of the business tables and the {@code dedup_key} table. Required. */
    public Builder dataSource(DataSource dataSource) {
      work.dataSource(dataSource);
      return this;
    }

    /** The dedup store. Defaults to {@code Dedup.builder().build()} (schema {@code public}). */
    public Builder dedup(Dedup dedup) {
      work.dedup(dedup);
      return this;
    }

    /**
     * Runs each delivery through {@code store} instead of the database path ({@link #dataSource},
     * {@link #dedup}, {@link #handler}, {@link #jdbcHandler}, which must then stay unset). Use it
     * with a {@link RedisDedup} for work whose effect is not in the database:
     *
     * <pre>{@code
     * .dedupStore(redisDedup, (claim, delivery) -> sms.send(delivery.getBody()))
     * }</pre>
     *
     * <p>A delivery is acked once the store returns {@link ProcessOutcome#PROCESSED}, {@link
     * ProcessOutcome#DUPLICATE} or {@link ProcessOutcome#PROCESSED_UNRECORDED}. {@link
     * ProcessOutcome#IN_PROGRESS} (another delivery of the same message is being processed) is
     * requeued after {@code retryDelay} without counting towards {@code maxRedeliveries}, as is a
     * failure of the store.
     *
     * @param store the store, e.g. a {@link RedisDedup} or {@link DedupStore#database}
     * @param handler the work for one delivery
     * @param <C> what the store hands the work
     */
    public <C> Builder dedupStore(DedupStore<C> store, StoreHandler<C> handler) {
      work.store(store, handler == null ? null : handler::handle);
      return this;
    }

    /** The business work on a jOOQ transaction. Exactly one handler is required. */
    public Builder handler(Handler handler) {
      work.handler(handler == null ? null : handler::handle);
      return this;
    }

    /** The business work on a JDBC transaction. Exactly one handler is required. */
    public Builder jdbcHandler(JdbcHandler jdbcHandler) {
      work.jdbcHandler(jdbcHandler == null ? null : jdbcHandler::handle);
      return this;
    }

    /**
     * How many times a failed message is requeued before it is rejected to the dead-letter
     * exchange, 0 to {@value RabbitMqDedupConsumerConfig#MAX_REDELIVERIES}. Defaults to {@value
     * RabbitMqDedupConsumer#DEFAULT_MAX_REDELIVERIES}.
     */
    public Builder maxRedeliveries(int maxRedeliveries) {
      this.maxRedeliveries = maxRedeliveries;
      return this;
    }

    /**
     * Unacknowledged deliveries in flight, 1 to {@value RabbitMqDedupConsumerConfig#MAX_PREFETCH}.
     * Defaults to {@value RabbitMqDedupConsumer#DEFAULT_PREFETCH}.
     */
    public Builder prefetch(int prefetch) {
      this.prefetch = prefetch;
      return this;
    }

    /** Pause before a failed delivery is requeued. Not negative. Defaults to 500 ms. */
    public Builder retryDelay(Duration retryDelay) {
      this.retryDelay = retryDelay;
      return this;
    }

    /** Bound on how long {@link #close()} waits. Not negative. Defaults to 10 seconds. */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = closeTimeout;
      return this;
    }

    /**
     * The configuration these settings make, validated (without the collaborators).
     *
     * @throws IllegalArgumentException naming the field, its value and what is allowed
     */
    public RabbitMqDedupConsumerConfig config() {
      return new RabbitMqDedupConsumerConfig(
          queue, consumerName, maxRedeliveries, prefetch, retryDelay, closeTimeout);
    }

    /**
     * Validates the configuration; subscribes nothing and starts no thread.
     *
     * @throws IllegalArgumentException naming the bad field, its value and what is allowed
     */
    public RabbitMqDedupConsumer build() {
      Check.notNull("channel", channel);
      RabbitMqDedupConsumerConfig config = config();
      return new DefaultRabbitMqDedupConsumer(
          config, channel, work.deliveries(config.consumerName()));
    }
  }
}
