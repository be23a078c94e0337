package dev.outpost.dedup;

import dev.outpost.common.internal.Check;
import java.time.Duration;
import java.util.List;

/**
 * The configuration of a {@link KafkaDedupConsumer}, as built by {@link
 * KafkaDedupConsumer.Builder}; see the builder for defaults. Collaborators (the Kafka consumer's
 * properties or factory, data source, dedup store, handler, clock) are builder parameters, not part
 * of it. Immutable.
 *
 * @param topics the topics to subscribe to; at least one, none blank (copied, unmodifiable)
 * @param consumerName the consumer name in the dedup keys, usually the consumer group; 1 to {@value
 *     Dedup#MAX_CONSUMER_LENGTH} characters, not blank
 * @param pollTimeout how long one {@code poll} waits for records; positive, defaults to {@link
 *     KafkaDedupConsumer#DEFAULT_POLL_TIMEOUT}
 * @param retryBackoff backoff before the first retry of a failed record; positive, defaults to
 *     {@link KafkaDedupConsumer#DEFAULT_RETRY_BACKOFF}
 * @param maxRetryBackoff longest backoff between retries of a record (the backoff doubles up to
 *     it); at least {@code retryBackoff}, defaults to {@link
 *     KafkaDedupConsumer#DEFAULT_MAX_RETRY_BACKOFF}
 * @param commitTimeout timeout of each offset commit ({@code commitSync}); positive, defaults to
 *     {@link KafkaDedupConsumer#DEFAULT_COMMIT_TIMEOUT}
 * @param closeTimeout bound on how long {@link KafkaDedupConsumer#close()} waits for the loop; not
 *     negative, defaults to {@link KafkaDedupConsumer#DEFAULT_CLOSE_TIMEOUT}
 */
public record KafkaDedupConsumerConfig(
    List<String> topics,
    String consumerName,
    Duration pollTimeout,
    Duration retryBackoff,
    Duration maxRetryBackoff,
    Duration commitTimeout,
    Duration closeTimeout) {

  /**
   * Validates every field.
   *
   * @throws IllegalArgumentException naming the field, its value and what is allowed
   */
  public KafkaDedupConsumerConfig {
    topics = List.copyOf(Check.texts("topics", topics));
    Check.text("consumerName", consumerName, Dedup.MAX_CONSUMER_LENGTH);
    Check.positive("pollTimeout", pollTimeout);
    Check.positive("retryBackoff", retryBackoff);
    Check.atLeast("maxRetryBackoff", maxRetryBackoff, "retryBackoff", retryBackoff);
    Check.positive("commitTimeout", commitTimeout);
    Check.notNegative("closeTimeout", closeTimeout);
  }
}
