package dev.outpost.rocketmq.internal;

import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.ProcessOutcome;
import dev.outpost.dedup.internal.DedupTransactions;
import dev.outpost.dedup.internal.StoreDeliveries;
import dev.outpost.rocketmq.RocketMqDedupConsumer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.client.consumer.DefaultMQPushConsumer;
import org.apache.rocketmq.client.consumer.listener.ConsumeConcurrentlyStatus;
import org.apache.rocketmq.client.consumer.listener.ConsumeOrderlyStatus;
import org.apache.rocketmq.client.consumer.listener.MessageListenerConcurrently;
import org.apache.rocketmq.client.consumer.listener.MessageListenerOrderly;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.common.message.MessageExt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each message through a dedup transaction on RocketMQ's consume threads and answers success
 * only after the commit. Lifecycle fields are guarded by {@code lifecycle}.
 */
public final class DefaultRocketMqDedupConsumer implements RocketMqDedupConsumer {

  private static final Logger log = LoggerFactory.getLogger(DefaultRocketMqDedupConsumer.class);

  private final RocketMqConsumerSettings settings;
  private final DedupTransactions transactions;
  private final StoreDeliveries<MessageExt> store;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Object lifecycle = new Object();
  private DefaultMQPushConsumer consumer;
  private volatile boolean closed;

  /** A consumer with validated settings; connects nothing yet. */
  public DefaultRocketMqDedupConsumer(RocketMqConsumerSettings settings) {
    this(settings, null);
  }

  /**
   * A consumer running messages through {@code store}, or, when {@code null}, through the database
   * path of {@code settings} (its data source, dedup and handler).
   */
  public DefaultRocketMqDedupConsumer(
      RocketMqConsumerSettings settings, StoreDeliveries<MessageExt> store) {
    this.settings = settings;
    this.store = store;
    this.transactions =
        store == null
            ? new DedupTransactions(
                settings.dataSource(), settings.dedup(), settings.consumerName())
            : null;
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException(
            "RocketMQ dedup consumer '"
                + settings.consumerName()
                + "' was closed; build a new one");
      }
      if (consumer != null) {
        return;
      }
      DefaultMQPushConsumer created =
          new DefaultMQPushConsumer(settings.consumerGroup(), settings.rpcHook());
      created.setNamesrvAddr(settings.namesrvAddress());
      created.setInstanceName(settings.instanceName());
      created.setConsumeFromWhere(settings.consumeFromWhere());
      created.setMaxReconsumeTimes(settings.maxReconsumeTimes());
      created.setConsumeThreadMin(settings.consumeThreads());
      created.setConsumeThreadMax(settings.consumeThreads());
      created.setConsumeMessageBatchMaxSize(1);
      created.setSuspendCurrentQueueTimeMillis(settings.retryDelay().toMillis());
      if (settings.orderly()) {
        created.registerMessageListener(
            (MessageListenerOrderly)
                (messages, context) -> {
                  for (MessageExt message : messages) {
                    if (!process(message)) {
                      context.setSuspendCurrentQueueTimeMillis(settings.retryDelay().toMillis());
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
      settings.consumerCustomizer().accept(created);
      try {
        created.subscribe(settings.topic(), settings.subscription());
        created.start();
      } catch (MQClientException | RuntimeException e) {
        created.shutdown();
        throw new IllegalStateException(
            "could not start RocketMQ consumer group '"
                + settings.consumerGroup()
                + "' on topic '"
                + settings.topic()
                + "': "
                + e.getMessage(),
            e);
      }
      consumer = created;
      log.info(
          "RocketMQ dedup consumer '{}' consuming topic '{}' as group '{}'{}",
          settings.consumerName(),
          settings.topic(),
          settings.consumerGroup(),
          settings.orderly() ? " (orderly)" : "");
    }
  }

  @Override
  public DedupCounts counts() {
    return store != null ? store.counts() : settings.dedup().counts(settings.consumerName());
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
            settings.consumerName(),
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
        if (store != null) {
          // Another delivery of the same message is being processed: consume this one again later.
          return store.process(messageId, message) != ProcessOutcome.IN_PROGRESS;
        }
        transactions.processOnce(messageId, tx -> handle(tx, message));
        return true;
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
            settings.topic(),
            settings.retryDelay(),
            e);
        if (awaitClosing()) {
          return false;
        }
      }
    }
  }

  private void handle(Connection tx, MessageExt message) throws SQLException {
    if (settings.jdbcHandler() != null) {
      settings.jdbcHandler().handle(tx, message);
    } else {
      settings.handler().handle(DedupTransactions.jooq(tx), message);
    }
  }

  private void failed(MessageExt message, UUID messageId, Throwable e) {
    int failures = message.getReconsumeTimes() + 1;
    if (failures > settings.maxReconsumeTimes()) {
      log.error(
          "Message {} on topic '{}' failed {} times; it goes to the dead-letter queue %DLQ%{}",
          messageId, settings.topic(), failures, settings.consumerGroup(), e);
    } else {
      log.warn(
          "Message {} on topic '{}' failed (failure {} of at most {}); it is consumed again later",
          messageId,
          settings.topic(),
          failures,
          settings.maxReconsumeTimes() + 1,
          e);
    }
  }

  static UUID messageId(MessageExt message) {
    String id = message.getUserProperty(MESSAGE_ID_PROPERTY);
    if (id != null && !id.isBlank()) {
      try {
        return UUID.fromString(id.trim());
      } catch (IllegalArgumentException notAUuid) {
        return UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8));
      }
    }
    return UUID.nameUUIDFromBytes(message.getMsgId().getBytes(StandardCharsets.UTF_8));
  }

  /** Waits {@code retryDelay}; returns true when the consumer is closing. */
  private boolean awaitClosing() {
    try {
      return closing.await(settings.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return true;
    }
  }
}
