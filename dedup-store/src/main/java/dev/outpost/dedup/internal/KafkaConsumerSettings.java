package dev.outpost.dedup.internal;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.KafkaDedupConsumer;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.Consumer;

/**
 * Validated configuration of a Kafka dedup consumer; see {@code KafkaDedupConsumer.Builder}.
 * Exactly one of {@code handler} and {@code jdbcHandler} is set.
 */
public record KafkaConsumerSettings<K, V>(
    Supplier<? extends Consumer<K, V>> consumerFactory,
    List<String> topics,
    String consumerName,
    DataSource dataSource,
    Dedup dedup,
    KafkaDedupConsumer.Handler<K, V> handler,
    KafkaDedupConsumer.JdbcHandler<K, V> jdbcHandler,
    Duration pollTimeout,
    Duration retryBackoff,
    Duration maxRetryBackoff,
    Duration commitTimeout,
    Duration closeTimeout,
    Clock clock) {}
