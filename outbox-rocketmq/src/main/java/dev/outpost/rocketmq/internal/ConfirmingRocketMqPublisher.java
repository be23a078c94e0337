package dev.outpost.rocketmq.internal;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.BatchOutcome;
import dev.outpost.relay.brokers.internal.NotSentException;
import dev.outpost.relay.brokers.internal.PublisherThreads;
import dev.outpost.rocketmq.RocketMqPublisher;
import dev.outpost.rocketmq.RocketMqPublisherConfig;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.rocketmq.client.exception.MQClientException;
import org.apache.rocketmq.client.producer.DefaultMQProducer;
import org.apache.rocketmq.client.producer.SendCallback;
import org.apache.rocketmq.client.producer.SendResult;
import org.apache.rocketmq.common.message.Message;
import org.apache.rocketmq.remoting.protocol.body.ClusterInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RocketMqPublisher}: one producer shared by all relay threads, asynchronous sends in a
 * bounded window, messages of one key chained.
 */
public final class ConfirmingRocketMqPublisher implements RocketMqPublisher {

  private static final Logger log = LoggerFactory.getLogger(ConfirmingRocketMqPublisher.class);

  /**
   * The client fails a send after the send timeout itself; this margin only catches a callback that
   * never comes, so that no batch waits forever.
   */
  private static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);

  private final RocketMqPublisherConfig config;
  private final RocketMqMessages messages;
  private final SendOutcomes outcomes;
  private final Semaphore window;
  private final Duration deadline;
  private final PublisherThreads threads = new PublisherThreads("outpost-rocketmq-publisher");
  private final Object lock = new Object();
  private DefaultMQProducer producer;
  private long lastStartFailureNanos;
  private Exception lastStartFailure;
  private boolean closed;

  /** A publisher for {@code config}; creates the producer on first use. */
  public ConfirmingRocketMqPublisher(RocketMqPublisherConfig config) {
    this.config = config;
    this.messages = new RocketMqMessages(config);
    this.outcomes = new SendOutcomes(config.acceptUnflushed());
    this.window = new Semaphore(config.maxInFlight());
    this.deadline = config.sendTimeout().multipliedBy(2).plus(SAFETY_MARGIN);
    if (config.acceptUnflushed()) {
      log.info(
          "RocketMQ publisher for {} counts FLUSH_DISK_TIMEOUT, FLUSH_SLAVE_TIMEOUT and"
              + " SLAVE_NOT_AVAILABLE as confirmed (asynchronous-flush deployment)",
          config.namesrvAddress());
    }
  }

  @Override
  public RocketMqPublisherConfig config() {
    return config;
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    BatchOutcome outcome = new BatchOutcome(batch.size(), threads.completion());
    if (batch.isEmpty()) {
      return outcome.stage();
    }
    DefaultMQProducer current;
    try {
      current = producer();
    } catch (RuntimeException e) {
      outcome.failFrom(0, e);
      return outcome.stage();
    }
    new BatchSend(current, batch, outcome).run();
    outcome.expireAfter(
        threads.timer(),
        deadline,
        i ->
            outcome.complete(
                i,
                PublishResult.failed(
                    new TimeoutException(
                        "no answer from RocketMQ for message "
                            + batch.get(i).messageId()
                            + " within "
                            + deadline.toMillis()
                            + " ms; the outcome is unknown, the relay will send it again"))));
    return outcome.stage();
  }

  /**
   * Asks the name server for the cluster: AVAILABLE when it answers with at least one broker (the
   * relay then publishes a head message to find out whether the broker takes it), UNAVAILABLE when
   * it does not answer.
   */
  @Override
  public Availability probe(Duration timeout) {
    return nameServerAnswers(timeout) ? Availability.UNKNOWN : Availability.UNAVAILABLE;
  }

  private boolean nameServerAnswersNow() {
    return nameServerAnswers(config.sendTimeout());
  }

  private boolean nameServerAnswers(Duration timeout) {
    try {
      ClusterInfo cluster =
          producer()
              .getDefaultMQProducerImpl()
              .getMqClientFactory()
              .getMQClientAPIImpl()
              .getBrokerClusterInfo(Math.max(1, timeout.toMillis()));
      return cluster != null
          && cluster.getBrokerAddrTable() != null
          && !cluster.getBrokerAddrTable().isEmpty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    } catch (Exception e) {
      log.debug(
          "RocketMQ name server {} does not answer: {}", config.namesrvAddress(), e.toString());
      return false;
    }
  }

  private DefaultMQProducer producer() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "the RocketMQ publisher is closed; build a new one to publish again");
      }
      if (producer != null) {
        return producer;
      }
      if (lastStartFailure != null
          && System.nanoTime() - lastStartFailureNanos < config.sendTimeout().toNanos()) {
        throw new IllegalStateException(
            "the RocketMQ producer could not start (" + lastStartFailure + "); retrying later",
            lastStartFailure);
      }
      DefaultMQProducer created = new DefaultMQProducer(config.producerGroup(), config.rpcHook());
      created.setNamesrvAddr(config.namesrvAddress());
      created.setInstanceName(config.instanceName());
      created.setSendMsgTimeout((int) config.sendTimeout().toMillis());
      created.setMaxMessageSize(config.maxMessageBytes());
      config.producerCustomizer().accept(created);
      try {
        created.start();
      } catch (MQClientException | RuntimeException e) {
        lastStartFailure = e;
        lastStartFailureNanos = System.nanoTime();
        created.shutdown();
        throw new IllegalStateException("the RocketMQ producer could not start: " + e, e);
      }
      lastStartFailure = null;
      producer = created;
      log.info(
          "RocketMQ producer {} ({}) started for name server {}",
          config.producerGroup(),
          config.instanceName(),
          config.namesrvAddress());
      return created;
    }
  }

  @Override
  public void close() {
    DefaultMQProducer toClose;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = producer;
      producer = null;
    }
    if (toClose != null) {
      awaitInFlight();
      try {
        toClose.shutdown();
      } catch (RuntimeException e) {
        log.warn("RocketMQ producer did not shut down cleanly: {}", e.toString());
      }
    }
    threads.close(config.closeTimeout());
  }

  private void awaitInFlight() {
    try {
      if (window.tryAcquire(
          config.maxInFlight(), config.closeTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
        window.release(config.maxInFlight());
      } else {
        log.warn(
            "RocketMQ publisher closes with sends still in flight after {}; their messages are"
                + " sent again by the relay",
            config.closeTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Sends one batch. Keyless messages and the first message of each key are sent at once (each
   * holding a window permit); later messages of a key wait in {@code waiting} and are sent, with
   * the predecessor's permit, from its callback once it is confirmed. When a message of a key does
   * not get through, the messages of the key behind it are not sent.
   */
  private final class BatchSend {
    private final DefaultMQProducer producer;
    private final List<RelayMessage> batch;
    private final BatchOutcome outcome;
    private final Map<String, ArrayDeque<Integer>> waiting = new HashMap<>();
    private final Set<String> activeKeys = new HashSet<>();
    private final Set<String> failedKeys = new HashSet<>();

    BatchSend(DefaultMQProducer producer, List<RelayMessage> batch, BatchOutcome outcome) {
      this.producer = producer;
      this.batch = batch;
      this.outcome = outcome;
    }

    void run() {
      for (int i = 0; i < batch.size(); i++) {
        RelayMessage message = batch.get(i);
        String key = message.key();
        if (key != null) {
          synchronized (this) {
            if (failedKeys.contains(key)) {
              outcome.complete(i, PublishResult.failed(NotSentException.sameKey(message)));
              continue;
            }
            if (!activeKeys.add(key)) {
              waiting.computeIfAbsent(key, k -> new ArrayDeque<>()).add(i);
              continue;
            }
          }
        }
        if (!acquirePermit()) {
          outcome.failFrom(
              i,
              new TimeoutException(
                  "not sent: "
                      + config.maxInFlight()
                      + " RocketMQ sends stayed in flight for "
                      + config.sendTimeout().toMillis()
                      + " ms; the rest of the batch is retried later"));
          failWaitingFrom(i);
          return;
        }
        send(i);
      }
    }

    private boolean acquirePermit() {
      try {
        return window.tryAcquire(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** Sends message {@code i}, which holds a window permit until {@link #done} passes it on. */
    private void send(int i) {
      RelayMessage message = batch.get(i);
      if (outcome.result(i) != null) {
        // Expired while waiting behind its key: the relay already counts it as failed.
        done(i, outcome.result(i));
        return;
      }
      String topic = null;
      Message out;
      try {
        topic = messages.topic(message);
        out = messages.toMessage(message, topic);
      } catch (RuntimeException e) {
        done(
            i,
            SendOutcomes.toResult(
                outcomes.classify(message, topic, e),
                ConfirmingRocketMqPublisher.this::nameServerAnswersNow));
        return;
      }
      String sentTo = topic;
      Object selectorKey = message.key() != null ? message.key() : message.messageId();
      try {
        producer.send(
            out,
            KeySelector.INSTANCE,
            selectorKey,
            new SendCallback() {
              @Override
              public void onSuccess(SendResult result) {
                done(
                    i,
                    SendOutcomes.toResult(
                        outcomes.classify(message, sentTo, result),
                        ConfirmingRocketMqPublisher.this::nameServerAnswersNow));
              }

              @Override
              public void onException(Throwable error) {
                done(
                    i,
                    SendOutcomes.toResult(
                        outcomes.classify(message, sentTo, error),
                        ConfirmingRocketMqPublisher.this::nameServerAnswersNow));
              }
            },
            config.sendTimeout().toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        done(i, PublishResult.failed(e));
      } catch (Exception e) {
        done(
            i,
            SendOutcomes.toResult(
                outcomes.classify(message, sentTo, e),
                ConfirmingRocketMqPublisher.this::nameServerAnswersNow));
      }
    }

    /** Records the outcome of message {@code i} and passes its permit to its key's next one. */
    private void done(int i, PublishResult result) {
      try {
        outcome.complete(i, result);
        String key = batch.get(i).key();
        Integer next = null;
        if (key != null) {
          synchronized (this) {
            ArrayDeque<Integer> queue = waiting.get(key);
            if (outcome.result(i) instanceof PublishResult.Confirmed) {
              next = queue == null ? null : queue.poll();
            } else {
              failedKeys.add(key);
              if (queue != null) {
                for (Integer held : queue) {
                  outcome.complete(
                      held, PublishResult.failed(NotSentException.sameKey(batch.get(held))));
                }
                queue.clear();
              }
            }
            if (next == null) {
              activeKeys.remove(key);
              waiting.remove(key);
            }
          }
        }
        if (next != null) {
          send(next);
          return;
        }
      } catch (RuntimeException e) {
        log.error("RocketMQ publisher failed to record an outcome", e);
      }
      window.release();
    }

    private void failWaitingFrom(int from) {
      synchronized (this) {
        for (ArrayDeque<Integer> queue : waiting.values()) {
          for (Integer held : queue) {
            outcome.complete(held, PublishResult.failed(NotSentException.sameKey(batch.get(held))));
          }
        }
        waiting.clear();
      }
    }
  }
}
