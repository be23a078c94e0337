package dev.outpost.rocketmq.internal;

import dev.outpost.dedup.Dedup;
import dev.outpost.rocketmq.RocketMqDedupConsumer;
import java.time.Duration;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.apache.rocketmq.remoting.RPCHook;

/**
 * Validated configuration of a RocketMQ dedup consumer; see {@code RocketMqDedupConsumer.Builder}.
 * Exactly one of {@code handler} and {@code jdbcHandler} is set; {@code rpcHook} may be null.
 */
public record RocketMqConsumerSettings(
    String namesrvAddress,
    String consumerGroup,
    String topic,
    String subscription,
    String consumerName,
    DataSource dataSource,
    Dedup dedup,
    RocketMqDedupConsumer.Handler handler,
    RocketMqDedupConsumer.JdbcHandler jdbcHandler,
    boolean orderly,
    int maxReconsumeTimes,
    int consumeThreads,
    Duration retryDelay,
    ConsumeFromWhere consumeFromWhere,
    String instanceName,
    RPCHook rpcHook,
    Consumer<DefaultMQPushConsumer> consumerCustomizer) {}
