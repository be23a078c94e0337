package dev.outpost.dedup.internal;

import com.rabbitmq.client.Channel;
import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.RabbitDedupConsumer;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Validated configuration of a RabbitMQ dedup consumer; see {@code RabbitDedupConsumer.Builder}.
 * Exactly one of {@code handler} and {@code jdbcHandler} is set.
 */
public record RabbitConsumerSettings(
    Channel channel,
    String queue,
    String consumerName,
    DataSource dataSource,
    Dedup dedup,
    RabbitDedupConsumer.Handler handler,
    RabbitDedupConsumer.JdbcHandler jdbcHandler,
    int maxRedeliveries,
    int prefetch,
    Duration retryDelay,
    Duration closeTimeout) {}
