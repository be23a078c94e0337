package dev.outpost.rocketmq;

import dev.outpost.common.internal.Check;
import dev.outpost.dedup.Dedup;
import java.time.Duration;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;

/**
 * The configuration of a {@link RocketMqDedupConsumer}, as built by {@link
 * RocketMqDedupConsumer.Builder}; see the builder for defaults. Collaborators (data source, dedup
 * store, handler, ACL hook, consumer customizer) are builder parameters, not part of it. Immutable.
 *
 * @param namesrvAddress the name servers, {@code host:port} separated by {@code ;}; not blank
 * @param consumerGroup the consumer group (shares the messages among its members, owns the
 *     offsets); not blank
 * @param topic the topic to consume; not blank
 * @param subscription the tag subscription expression, e.g. {@code "created || paid"}; not blank,
 *     defaults to {@code *}
 * @param consumerName the consumer name in the dedup keys; 1 to {@value Dedup#MAX_CONSUMER_LENGTH}
 *     characters, not blank, defaults to the consumer group
 * @param orderly whether the messages of a queue are processed one at a time in queue order;
 *     defaults to {@code false}
 * @param maxReconsumeTimes how many times a failed message is consumed again before it goes to the
 *     dead-letter queue; 0 to {@value #MAX_RECONSUME_TIMES}, defaults to {@value
 *     RocketMqDedupConsumer#DEFAULT_MAX_RECONSUME_TIMES}
 * @param consumeThreads threads running handlers; 1 to {@value #MAX_CONSUME_THREADS}, defaults to
 *     {@value RocketMqDedupConsumer#DEFAULT_CONSUME_THREADS}
 * @param retryDelay pause before a message is retried after a database failure, and before an
 *     orderly consumed message is retried after a handler failure; 10 ms to 1 hour, defaults to
 *     {@link RocketMqDedupConsumer#DEFAULT_RETRY_DELAY}
 * @param consumeFromWhere where a consumer group without stored offsets starts; defaults to {@code
 *     CONSUME_FROM_LAST_OFFSET}
 * @param instanceName the client instance name; not blank, defaults to a name unique in this JVM
 */
public record RocketMqDedupConsumerConfig(
    String namesrvAddress,
    String consumerGroup,
    String topic,
    String subscription,
    String consumerName,
    boolean orderly,
    int maxReconsumeTimes,
    int consumeThreads,
    Duration retryDelay,
    ConsumeFromWhere consumeFromWhere,
    String instanceName) {

  /** Upper bound of {@code maxReconsumeTimes}. */
  public static final int MAX_RECONSUME_TIMES = 1000;

  /** Upper bound of {@code consumeThreads}. */
  public static final int MAX_CONSUME_THREADS = 1000;

  /** Shortest {@code retryDelay}: 10 ms. */
  public static final Duration MIN_RETRY_DELAY = Duration.ofMillis(10);

  /** Longest {@code retryDelay}: 1 hour. */
  public static final Duration MAX_RETRY_DELAY = Duration.ofHours(1);

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the field, its value and what is allowed
   */
  public RocketMqDedupConsumerConfig {
    Check.text("namesrvAddress", namesrvAddress);
    Check.text("consumerGroup", consumerGroup);
    Check.text("topic", topic);
    Check.text("subscription", subscription);
    Check.text("consumerName", consumerName, Dedup.MAX_CONSUMER_LENGTH);
    Check.range("maxReconsumeTimes", maxReconsumeTimes, 0, MAX_RECONSUME_TIMES);
    Check.range("consumeThreads", consumeThreads, 1, MAX_CONSUME_THREADS);
    Check.range("retryDelay", retryDelay, MIN_RETRY_DELAY, MAX_RETRY_DELAY);
    Check.notNull("consumeFromWhere", consumeFromWhere);
    Check.text("instanceName", instanceName);
  }
}
