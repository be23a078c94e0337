package dev.outpost.dedup.internal;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Delivery;
import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupException;
import dev.outpost.dedup.ProcessOutcome;
import dev.outpost.dedup.RabbitMqDedupConsumer;
import dev.outpost.dedup.RabbitMqDedupConsumerConfig;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands deliveries from the channel's dispatch thread to one worker thread, which runs the dedup
 * transaction and then acks, nacks with requeue, or rejects. The failure counts are confined to the
 * worker; lifecycle fields are guarded by {@code lifecycle}.
 */
public final class DefaultRabbitMqDedupConsumer implements RabbitMqDedupConsumer {

  private static final Logger log = LoggerFactory.getLogger(DefaultRabbitMqDedupConsumer.class);
  private static final int MAX_TRACKED_FAILURES = 10_000;

  private final RabbitMqDedupConsumerConfig config;
  private final Channel channel;
  private final StoreDeliveries<Delivery> store;
  private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
  private final CountDownLatch closing = new CountDownLatch(1);
  private final Object lifecycle = new Object();
  private final Map<UUID, Integer> failures =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Integer> eldest) {
          return size() > MAX_TRACKED_FAILURES;
        }
      };
  private Thread worker;
  private String consumerTag;
  private volatile boolean closed;

  /**
   * A consumer of validated {@code config} on {@code channel} that runs deliveries through {@code
   * store}; subscribes nothing yet.
   */
  public DefaultRabbitMqDedupConsumer(
      RabbitMqDedupConsumerConfig config, Channel channel, StoreDeliveries<Delivery> store) {
    this.config = config;
    this.channel = channel;
    this.store = store;
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      if (closed) {
        throw new IllegalStateException(
            "RabbitMQ dedup consumer '" + config.consumerName() + "' was closed; build a new one");
      }
      if (worker != null) {
        return;
      }
      try {
        channel.basicQos(config.prefetch());
        consumerTag =
            channel.basicConsume(
                config.queue(),
                false,
                (tag, delivery) -> deliveries.add(delivery),
                tag -> log.warn("Queue '{}' cancelled consumer {}", config.queue(), tag));
      } catch (IOException | RuntimeException e) {
        throw new DedupException(
            "could not consume from queue '"
                + config.queue()
                + "': "
                + e.getMessage()
                + "; check that the queue exists and the channel is open",
            config.consumerName(),
            null,
            e);
      }
      worker = new Thread(this::work, "outpost-dedup-rabbit-" + config.consumerName());
      worker.start();
    }
  }

  @Override
  public DedupCounts counts() {
    return store.counts();
  }

  @Override
  public RabbitMqDedupConsumerConfig config() {
    return config;
  }

  @Override
  public void close() {
    Thread running;
    String tag;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      closing.countDown();
      running = worker;
      tag = consumerTag;
    }
    if (tag != null) {
      cancel(tag);
    }
    if (running == null) {
      return;
    }
    if (running != Thread.currentThread()) {
      try {
        running.join(config.closeTimeout().toMillis() + 1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (running.isAlive()) {
        log.warn(
            "RabbitMQ dedup consumer '{}' did not finish its delivery within {}",
            config.consumerName(),
            config.closeTimeout());
        return;
      }
    }
    requeueUnstarted();
  }

  private void cancel(String tag) {
    try {
      if (channel.isOpen()) {
        channel.basicCancel(tag);
      }
    } catch (IOException | RuntimeException e) {
      log.debug("cancelling consumer {} failed; the channel is probably closed", tag, e);
    }
  }

  private void requeueUnstarted() {
    List<Delivery> left = new ArrayList<>();
    deliveries.drainTo(left);
    for (Delivery delivery : left) {
      respond(delivery, Response.REQUEUE);
    }
  }

  private void work() {
    while (!closed) {
      try {
        Delivery delivery = deliveries.poll(100, TimeUnit.MILLISECONDS);
        if (delivery != null && !closed) {
          process(delivery);
        } else if (delivery != null) {
          respond(delivery, Response.REQUEUE);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        log.warn("RabbitMQ dedup consumer '{}' failed a delivery", config.consumerName(), e);
      }
    }
  }

  private void process(Delivery delivery) {
    UUID messageId = messageId(delivery);
    if (messageId == null) {
      log.error(
          "Message on queue '{}' has no message id, so it cannot be deduplicated; rejecting it"
              + " to the dead-letter exchange. Publish with BasicProperties.messageId set.",
          config.queue());
      respond(delivery, Response.REJECT);
      return;
    }
    try {
      if (store.process(messageId, delivery) == ProcessOutcome.IN_PROGRESS) {
        log.info(
            "Message {} from queue '{}' is being processed by another delivery; requeueing it"
                + " in {}",
            messageId,
            config.queue(),
            config.retryDelay());
        awaitClosing();
        respond(delivery, Response.REQUEUE);
        return;
      }
      failures.remove(messageId);
      respond(delivery, Response.ACK);
    } catch (DedupTransactions.WorkFailedException e) {
      failed(delivery, messageId, e.getCause());
    } catch (RuntimeException e) {
      // The store, not the message, failed: requeue without counting towards dead-lettering.
      log.warn(
          "Dedup store failed while processing message {} from queue '{}'; requeueing it in {}",
          messageId,
          config.queue(),
          config.retryDelay(),
          e);
      awaitClosing();
      respond(delivery, Response.REQUEUE);
    }
  }

  private void failed(Delivery delivery, UUID messageId, Throwable e) {
    int failed = Math.max(failures.merge(messageId, 1, Integer::sum), deliveryCount(delivery) + 1);
    if (failed > config.maxRedeliveries()) {
      failures.remove(messageId);
      log.error(
          "Message {} on queue '{}' failed {} times; rejecting it to the dead-letter exchange",
          messageId,
          config.queue(),
          failed,
          e);
      respond(delivery, Response.REJECT);
      return;
    }
    log.warn(
        "Message {} on queue '{}' failed (failure {} of at most {}); requeueing it in {}",
        messageId,
        config.queue(),
        failed,
        config.maxRedeliveries() + 1,
        config.retryDelay(),
        e);
    awaitClosing();
    respond(delivery, Response.REQUEUE);
  }

  private static UUID messageId(Delivery delivery) {
    String id = delivery.getProperties() == null ? null : delivery.getProperties().getMessageId();
    return id == null || id.isBlank() ? null : MessageIds.of(id);
  }

  private static int deliveryCount(Delivery delivery) {
    Map<String, Object> headers =
        delivery.getProperties() == null ? null : delivery.getProperties().getHeaders();
    Object count = headers == null ? null : headers.get(DELIVERY_COUNT_HEADER);
    return count instanceof Number number ? (int) Math.min(number.longValue(), 1_000_000) : 0;
  }

  private void awaitClosing() {
    if (config.retryDelay().isZero()) {
      return;
    }
    try {
      closing.await(config.retryDelay().toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void respond(Delivery delivery, Response response) {
    long tag = delivery.getEnvelope().getDeliveryTag();
    try {
      switch (response) {
        case ACK -> channel.basicAck(tag, false);
        case REQUEUE -> channel.basicNack(tag, false, true);
        case REJECT -> channel.basicReject(tag, false);
      }
    } catch (IOException | RuntimeException e) {
      // The broker redelivers unacknowledged messages; a processed one is then skipped.
      log.warn(
          "Could not {} delivery {} on queue '{}': {}; the broker will deliver it again",
          response,
          tag,
          config.queue(),
          e.toString());
    }
  }

  private enum Response {
    ACK,
    REQUEUE,
    REJECT
  }
}
