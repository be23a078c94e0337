package dev.outpost.dedup;

import dev.outpost.common.internal.Check;
import java.time.Duration;

/**
 * The configuration of a {@link RabbitMqDedupConsumer}, as built by {@link
 * RabbitMqDedupConsumer.Builder}; see the builder for defaults. Collaborators (channel, data
 * source, dedup store, handler) are builder parameters, not part of it. Immutable.
 *
 * @param queue the queue to consume from; not blank
 * @param consumerName the consumer name in the dedup keys; 1 to {@value Dedup#MAX_CONSUMER_LENGTH}
 *     characters, not blank
 * @param maxRedeliveries how many times a failed message is requeued before it is rejected to the
 *     dead-letter exchange; 0 to {@value #MAX_REDELIVERIES}, defaults to {@value
 *     RabbitMqDedupConsumer#DEFAULT_MAX_REDELIVERIES}
 * @param prefetch unacknowledged deliveries in flight ({@code basic.qos}); 1 to {@value
 *     #MAX_PREFETCH}, defaults to {@value RabbitMqDedupConsumer#DEFAULT_PREFETCH}
 * @param retryDelay pause before a failed delivery is requeued; not negative, defaults to {@link
 *     RabbitMqDedupConsumer#DEFAULT_RETRY_DELAY}
 * @param closeTimeout bound on how long {@link RabbitMqDedupConsumer#close()} waits for the
 *     delivery in progress; not negative, defaults to {@link
 *     RabbitMqDedupConsumer#DEFAULT_CLOSE_TIMEOUT}
 */
public record RabbitMqDedupConsumerConfig(
    String queue,
    String consumerName,
    int maxRedeliveries,
    int prefetch,
    Duration retryDelay,
    Duration closeTimeout) {

  /** Upper bound of {@code maxRedeliveries}. */
  public static final int MAX_REDELIVERIES = 1000;

  /** Upper bound of {@code prefetch}: the largest {@code basic.qos} prefetch count. */
  public static final int MAX_PREFETCH = 65535;

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the field, its value and what is allowed
   */
  public RabbitMqDedupConsumerConfig {
    Check.text("queue", queue);
    Check.text("consumerName", consumerName, Dedup.MAX_CONSUMER_LENGTH);
    Check.range("maxRedeliveries", maxRedeliveries, 0, MAX_REDELIVERIES);
    Check.range("prefetch", prefetch, 1, MAX_PREFETCH);
    Check.notNegative("retryDelay", retryDelay);
    Check.notNegative("closeTimeout", closeTimeout);
  }
}
