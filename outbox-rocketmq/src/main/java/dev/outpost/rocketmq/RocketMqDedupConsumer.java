package dev.outpost.rocketmq;

import dev.outpost.common.internal.Check;
import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupStore;
import dev.outpost.dedup.ProcessOutcome;
import dev.outpost.dedup.internal.ConsumerWork;
import dev.outpost.rocketmq.internal.DefaultRocketMqDedupConsumer;
import dev.outpost.rocketmq.internal.InstanceNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.RPCHook;
import org.jooq.DSLContext;

/**
 * A RocketMQ push consumer that processes every message once in effect: each message runs through
 * {@link Dedup#processOnce} in a database transaction of its own, and the listener answers {@code
 * CONSUME_SUCCESS} only after the database commits. A crash between the two makes the broker
 * deliver the message again (the consumer offset was not advanced), and the dedup store skips it.
 *
 * <p><b>Message id.</b> Read from the {@value #MESSAGE_ID_PROPERTY} user property (a UUID string,
 * as Outpost's RocketMQ publisher writes it); a value that is not a UUID is hashed into a
 * name-based UUID. A message <em>without</em> it gets {@code UUID.nameUUIDFromBytes(msgId)} from
 * RocketMQ's own message id: that still skips RocketMQ's redeliveries of the same message, but not
 * a producer's second send of it (a new RocketMQ id).
 *
 * <p><b>Failures.</b> When the handler throws, the transaction rolls back and the message is
 * consumed again later: concurrently consumed messages go to the group's retry topic ({@code
 * RECONSUME_LATER}, delayed by the broker's delay levels: 10 s, 30 s, 1 min, ... by default);
 * orderly consumed ones suspend their queue for {@code retryDelay} ({@code
 * SUSPEND_CURRENT_QUEUE_A_MOMENT}), holding back the messages behind them. After {@code
 * maxReconsumeTimes} failed redeliveries the message goes to the broker's dead-letter queue {@code
 * %DLQ%<consumerGroup>}. When the <em>database</em> fails (no connection, failed key insert or
 * commit), the message is retried in place every {@code retryDelay} without counting: an outage
 * never dead-letters good messages.
 *
 * <p><b>Order.</b> With {@link Builder#orderly(boolean)} the messages of one queue, so of one key
 * published by Outpost's publisher, are processed one at a time in queue order (RocketMQ's {@code
 * MessageListenerOrderly}); otherwise up to {@code consumeThreads} messages are processed at once
 * in any order.
 *
 * <p><b>Threads.</b> RocketMQ's consume threads ({@code consumeThreads}) run the transactions.
 * {@link #close()} shuts the consumer down, waiting for the messages being processed; it is
 * thread-safe and idempotent.
 *
 * <pre>{@code
 * try (RocketMqDedupConsumer consumer = RocketMqDedupConsumer.builder()
 *     .namesrvAddress("namesrv-1:9876")
 *     .consumerGroup("inventory")
 *     .topic("orders")
 *     .dataSource(dataSource)
 *     .handler((tx, message) -> reserveStock(tx, message.getBody()))
 *     .build()) {
 *   consumer.start();
 *   ...
 * }
 * }</pre>
 */
public interface RocketMqDedupConsumer extends AutoCloseable {

  /** The user property holding the message id, as Outpost's publisher writes it. */
  String MESSAGE_ID_PROPERTY = "outpost-message-id";

  /** Default number of redeliveries after failures before the dead-letter queue: 5. */
  int DEFAULT_MAX_RECONSUME_TIMES = 5;

  /** Default number of consume threads: 4. */
  int DEFAULT_CONSUME_THREADS = 4;

  /** Default pause before a message is retried after a database failure (or, orderly, any): 1 s. */
  Duration DEFAULT_RETRY_DELAY = Duration.ofSeconds(1);

  /** Business work for one message on a jOOQ transaction. */
  @FunctionalInterface
  interface Handler {
    /**
     * Processes {@code message} on {@code tx}; throw to roll back and have it consumed again.
     *
     * @param tx the message's transaction ({@code DSL.using(connection, SQLDialect.POSTGRES)})
     * @param message the message
     */
    void handle(DSLContext tx, MessageExt message);
  }

  /**
   * Work for one message run through a {@link DedupStore} ({@link Builder#dedupStore}): the store
   * hands it its context, the transaction's {@link Connection} for {@link DedupStore#database} or
   * the {@link dev.outpost.dedup.RedisClaim} for {@link dev.outpost.dedup.RedisDedup}.
   *
   * @param <C> what the store hands the work
   */
  @FunctionalInterface
  interface StoreHandler<C> {
    /**
     * Processes {@code message}; throw to have it consumed again (the store forgets the message).
     *
     * @param context the store's context for this message
     * @param message the message
     * @throws Exception when the work failed
     */
    void handle(C context, MessageExt message) throws Exception;
  }

  /** Business work for one message on a JDBC transaction. */
  @FunctionalInterface
  interface JdbcHandler {
    /**
     * Processes {@code message} on {@code tx} (auto-commit off; do not commit it yourself); throw
     * to roll back and have it consumed again.
     *
     * @throws SQLException when a statement fails; the message is consumed again
     */
    void handle(Connection tx, MessageExt message) throws SQLException;
  }

  /** Starts a configuration with the defaults. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Subscribes and starts consuming. A second call is a no-op.
   *
   * @throws IllegalStateException when closed, or when RocketMQ refuses to start the consumer (e.g.
   *     a consumer of the same group and instance name already runs in this JVM)
   */
  void start();

  /** The dedup store's counts of this consumer name: processed messages and skipped duplicates. */
  DedupCounts counts();

  /** The configuration this consumer was built with. */
  RocketMqDedupConsumerConfig config();

  /**
   * Shuts the consumer down: stops pulling, waits for the messages being processed, persists the
   * consumed offsets. Idempotent; works without {@link #start()}.
   */
  @Override
  void close();

  /** Configuration of {@link RocketMqDedupConsumer}. Not thread-safe. */
  final class Builder {
    private String namesrvAddress;
    private String consumerGroup;
    private String topic;
    private String subscription = "*";
    private String consumerName;
    private final ConsumerWork<MessageExt> work = new ConsumerWork<>();
    private boolean orderly;
    private int maxReconsumeTimes = DEFAULT_MAX_RECONSUME_TIMES;
    private int consumeThreads = DEFAULT_CONSUME_THREADS;
    private Duration retryDelay = DEFAULT_RETRY_DELAY;
    private ConsumeFromWhere consumeFromWhere = ConsumeFromWhere.CONSUME_FROM_LAST_OFFSET;
    private String instanceName;
    private RPCHook rpcHook;
    private Consumer<DefaultMQPushConsumer> consumerCustomizer = consumer -> {};

    private Builder() {}

    /** The name servers, {@code host:port} separated by {@code ;}. Required. */
    public Builder namesrvAddress(String namesrvAddress) {
      this.namesrvAddress = namesrvAddress;
      return this;
    }

    /** The consumer group (shares the messages among its members, owns the offsets). Required. */
    public Builder consumerGroup(String consumerGroup) {
      this.consumerGroup = consumerGroup;
      return this;
    }

    /** The topic to consume. Required. */
    public Builder topic(String topic) {
      this.topic = topic;
      return this;
    }

    /** The tag subscription expression, e.g. {@code "created || paid"}. Defaults to {@code *}. */
    public Builder subscription(String subscription) {
      this.subscription = subscription;
      return this;
    }

    /**
     * The consumer name in the dedup keys, 1 to {@value Dedup#MAX_CONSUMER_LENGTH} characters.
     * Defaults to the consumer group.
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

    /** The business work on a jOOQ transaction. Exactly one handler is required. */
    public Builder handler(Handler handler) {
      work.handler(handler == null ? null : handler::handle);
      return this;
    }

    /**
     * Runs each message through {@code store} instead of the database path ({@link #dataSource},
     * {@link #dedup}, {@link #handler}, {@link #jdbcHandler}, which must then stay unset). Use it
     * with a {@link dev.outpost.dedup.RedisDedup} for work whose effect is not in the database:
     * {@code .dedupStore(redisDedup, (claim, message) -> sms.send(message.getBody()))}. A message
     * another delivery is processing right now ({@link ProcessOutcome#IN_PROGRESS}) is consumed
     * again later, like a failed one.
     *
     * @param store the store, e.g. a {@code RedisDedup} or {@link DedupStore#database}
     * @param handler the work for one message
     * @param <C> what the store hands the work
     */
    public <C> Builder dedupStore(DedupStore<C> store, StoreHandler<C> handler) {
      work.store(store, handler == null ? null : handler::handle);
      return this;
    }

    /** The business work on a JDBC transaction. Exactly one handler is required. */
    public Builder jdbcHandler(JdbcHandler jdbcHandler) {
      work.jdbcHandler(jdbcHandler == null ? null : jdbcHandler::handle);
      return this;
    }

    /**
     * Whether the messages of a queue are processed one at a time in queue order (per-key order for
     * messages from Outpost's publisher). Defaults to {@code false} (concurrently).
     */
    public Builder orderly(boolean orderly) {
      this.orderly = orderly;
      return this;
    }

    /**
     * How many times a failed message is consumed again before it goes to the dead-letter queue, 0
     * to {@value RocketMqDedupConsumerConfig#MAX_RECONSUME_TIMES}. Defaults to {@value
     * RocketMqDedupConsumer#DEFAULT_MAX_RECONSUME_TIMES}.
     */
    public Builder maxReconsumeTimes(int maxReconsumeTimes) {
      this.maxReconsumeTimes = maxReconsumeTimes;
      return this;
    }

    /**
     * Threads running handlers (each with its own database connection at a time), 1 to {@value
     * RocketMqDedupConsumerConfig#MAX_CONSUME_THREADS}. Defaults to {@value
     * RocketMqDedupConsumer#DEFAULT_CONSUME_THREADS}.
     */
    public Builder consumeThreads(int consumeThreads) {
      this.consumeThreads = consumeThreads;
      return this;
    }

    /**
     * Pause before a message is retried after a database failure, and before an orderly consumed
     * message is retried after a handler failure; 10 ms to 1 hour. Defaults to 1 second.
     */
    public Builder retryDelay(Duration retryDelay) {
      this.retryDelay = retryDelay;
      return this;
    }

    /**
     * Where a consumer group without stored offsets starts. Defaults to {@code
     * CONSUME_FROM_LAST_OFFSET} (RocketMQ's default).
     */
    public Builder consumeFromWhere(ConsumeFromWhere consumeFromWhere) {
      this.consumeFromWhere = consumeFromWhere;
      return this;
    }

    /** The client instance name. Defaults to a name unique in this JVM. */
    public Builder instanceName(String instanceName) {
      this.instanceName = instanceName;
      return this;
    }

    /** The hook that signs requests (ACL credentials). Defaults to none. */
    public Builder rpcHook(RPCHook rpcHook) {
      this.rpcHook = rpcHook;
      return this;
    }

    /**
     * Applied to the consumer before it starts, after the settings of this builder (TLS, namespace,
     * pull tuning). Defaults to nothing.
     */
    public Builder consumerCustomizer(Consumer<DefaultMQPushConsumer> consumerCustomizer) {
      this.consumerCustomizer = consumerCustomizer;
      return this;
    }

    /**
     * The configuration these settings make, validated (without the collaborators).
     *
     * @throws IllegalArgumentException naming the field, its value and what is allowed
     */
    public RocketMqDedupConsumerConfig config() {
      return new RocketMqDedupConsumerConfig(
          namesrvAddress,
          consumerGroup,
          topic,
          subscription,
          consumerName != null ? consumerName : consumerGroup,
          orderly,
          maxReconsumeTimes,
          consumeThreads,
          retryDelay,
          consumeFromWhere,
          instanceName != null ? instanceName : InstanceNames.unique("outpost-dedup"));
    }

    /**
     * Validates the configuration; connects nothing and starts no thread.
     *
     * @throws IllegalArgumentException naming the bad field, its value and what is allowed
     */
    public RocketMqDedupConsumer build() {
      RocketMqDedupConsumerConfig config = config();
      Check.notNull("consumerCustomizer", consumerCustomizer);
      return new DefaultRocketMqDedupConsumer(
          config, rpcHook, consumerCustomizer, work.deliveries(config.consumerName()));
    }
  }
}
