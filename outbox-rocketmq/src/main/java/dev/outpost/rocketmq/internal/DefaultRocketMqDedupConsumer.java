package dev.outpost.rocketmq.internal;

import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.ProcessOutcome;
import dev.outpost.dedup.internal.DedupTransactions;
import dev.outpost.dedup.internal.MessageIds;
import dev.outpost.dedup.internal.StoreDeliveries;
import dev.outpost.rocketmq.RocketMqDedupConsumer;
import dev.outpost.rocketmq.RocketMqDedupConsumerConfig;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.apache.rocketmq.remoting.RPCHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each message through a dedup transaction on RocketMQ's consume threads and answers success
 * only after the commit. Lifecycle fields are guarded by {@code lifecycle}.
 */
public final class DefaultRocketMqDedupConsumer implements RocketMqDedupConsumer {

  private static final Logger log = LoggerFactory.getLogger(DefaultRocketMqDedupConsumer.class);

  private final RocketMqDedupConsumerConfig config;
  private final RPCHook rpcHook;
  private final Consumer<DefaultMQPushConsumer> consumerCustomizer;
  private final StoreDeliveries<MessageExt> store;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Object lifecycle = new Object();
  private DefaultMQPushConsumer consumer;
  private volatile boolean closed;

  /**
   * A consumer of validated {@code config} that runs messages through {@code store}, signing
   * requests with {@code rpcHook} (may be null) and applying {@code consumerCustomizer} to the
   * RocketMQ consumer before it starts; connects nothing yet.
   */
  public DefaultRocketMqDedupConsumer(
      RocketMqDedupConsumerConfig config,
      RPCHook rpcHook,
      Consumer<DefaultMQPushConsumer> consumerCustomizer,
      StoreDeliveries<MessageExt> store) {
    this.config = config;
    this.rpcHook = rpcHook;
    this.consumerCustomizer = consumerCustomizer;
    this.store = store;
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException(
            "RocketMQ dedup consumer '" + config.consumerName() + "' was closed; build a new one");
      }
      if (consumer != null) {
        return;
      }
      DefaultMQPushConsumer created = new DefaultMQPushConsumer(config.consumerGroup(), rpcHook);
      created.setNamesrvAddr(config.namesrvAddress());
      created.setInstanceName(config.instanceName());
      created.setConsumeFromWhere(config.consumeFromWhere());
      created.setMaxReconsumeTimes(config.maxReconsumeTimes());
      created.setConsumeThreadMin(config.consumeThreads());
      created.setConsumeThreadMax(config.consumeThreads());
      created.setConsumeMessageBatchMaxSize(1);
      created.setSuspendCurrentQueueTimeMillis(config.retryDelay().toMillis());
      if (config.orderly()) {
        created.registerMessageListener(
            (MessageListenerOrderly)
                (messages, context) -> {
                  for (MessageExt message : messages) {
                    if (!process(message)) {
                      context.setSuspendCurrentQueueTimeMillis(config.retryDelay().toMillis());
                      return ConsumeOrderlyStatus.SUSPEND_CURRENT_QUEUE_A_MOMENT;
                    }
                  }
                  return ConsumeOrderlyStatus.SUCCESS;
                });
      } else {
        created.registerMessageListener(
            (MessageListenerConcurrently)
                (messages, context) -> {
                  for (MessageExt message : messages) {
                    if (!process(message)) {
                      return ConsumeConcurrentlyStatus.RECONSUME_LATER;
                    }
                  }
                  return ConsumeConcurrentlyStatus.CONSUME_SUCCESS;
                });
      }
      consumerCustomizer.accept(created);
      try {
        created.subscribe(config.topic(), config.subscription());
        created.start();
      } catch (MQClientException | RuntimeException e) {
        created.shutdown();
        throw new IllegalStateException(
            "could not start RocketMQ consumer group '"
                + config.consumerGroup()
                + "' on topic '"
                + config.topic()
                + "': "
                + e.getMessage(),
            e);
      }
      consumer = created;
      log.info(
          "RocketMQ dedup consumer '{}' consuming topic '{}' as group '{}'{}",
          config.consumerName(),
          config.topic(),
          config.consumerGroup(),
          config.orderly() ? " (orderly)" : "");
    }
  }

  @Override
  public DedupCounts counts() {
    return store.counts();
  }

  @Override
  public RocketMqDedupConsumerConfig config() {
    return config;
  }

  @Override
  public void close() {
    DefaultMQPushConsumer running;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      closing.countDown();
      running = consumer;
      consumer = null;
    }
    if (running != null) {
      try {
        running.shutdown();
      } catch (RuntimeException e) {
        log.warn(
            "RocketMQ dedup consumer '{}' did not shut down cleanly: {}",
            config.consumerName(),
            e.toString());
      }
    }
  }

  /**
   * Processes one message; returns whether it is done (processed now or before). A failed handler
   * returns false; a failed database is retried in place until it answers or the consumer closes.
   */
  private boolean process(MessageExt message) {
    UUID messageId = messageId(message);
    while (true) {
      try {
        // Another delivery of the same message is being processed: consume this one again later.
        return store.process(messageId, message) != ProcessOutcome.IN_PROGRESS;
      } catch (DedupTransactions.WorkFailedException e) {
        failed(message, messageId, e.getCause());
        return false;
      } catch (RuntimeException e) {
        // The database, not the message, failed: retry without counting towards the DLQ.
        if (closed) {
          return false;
        }
        log.warn(
            "Dedup store failed while processing message {} from topic '{}'; retrying in {}",
            messageId,
            config.topic(),
            config.retryDelay(),
            e);
        if (awaitClosing()) {
          return false;
        }
      }
    }
  }

  private void failed(MessageExt message, UUID messageId, Throwable e) {
    int failures = message.getReconsumeTimes() + 1;
    if (failures > config.maxReconsumeTimes()) {
      log.error(
          "Message {} on topic '{}' failed {} times; it goes to the dead-letter queue %DLQ%{}",
          messageId, config.topic(), failures, config.consumerGroup(), e);
    } else {
      log.warn(
          "Message {} on topic '{}' failed (failure {} of at most {}); it is consumed again later",
          messageId,
          config.topic(),
          failures,
          config.maxReconsumeTimes() + 1,
          e);
    }
  }

  static UUID messageId(MessageExt message) {
    String id = message.getUserProperty(MESSAGE_ID_PROPERTY);
    if (id != null && !id.isBlank()) {
      return MessageIds.of(id);
    }
    return UUID.nameUUIDFromBytes(message.getMsgId().getBytes(StandardCharsets.UTF_8));
  }

  /** Waits {@code retryDelay}; returns true when the consumer is closing. */
  private boolean awaitClosing() {
    try {
      return closing.await(config.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
