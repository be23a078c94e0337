package dev.outpost.dedup.internal;

import com.rabbitmq.client.Channel;
import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.RabbitMqDedupConsumer;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Validated configuration of a RabbitMQ dedup consumer; see {@code RabbitMqDedupConsumer.Builder}.
 * Exactly one of {@code handler} and {@code jdbcHandler} is set.
 */
public record RabbitMqConsumerSettings(
    Channel channel,
    String queue,
    String consumerName,
    DataSource dataSource,
    Dedup dedup,
    RabbitMqDedupConsumer.Handler handler,
    RabbitMqDedupConsumer.JdbcHandler jdbcHandler,
    int maxRedeliveries,
    int prefetch,
    Duration retryDelay,
    Duration closeTimeout) {}
