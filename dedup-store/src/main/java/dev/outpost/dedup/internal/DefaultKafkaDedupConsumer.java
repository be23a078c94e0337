package dev.outpost.dedup.internal;

import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.KafkaDedupConsumer;
import dev.outpost.dedup.KafkaDedupConsumerConfig;
import dev.outpost.dedup.ProcessOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Poll, process each record once through the dedup store, commit offsets after the database. The
 * Kafka consumer and the retry state are confined to one thread at a time (the poll thread, or the
 * caller of {@link #runOnce()}); lifecycle fields are guarded by {@code lifecycle}.
 */
public final class DefaultKafkaDedupConsumer<K, V> implements KafkaDedupConsumer<K, V> {

  private static final Logger log = LoggerFactory.getLogger(DefaultKafkaDedupConsumer.class);

  private final KafkaDedupConsumerConfig config;
  private final Supplier<? extends Consumer<K, V>> consumerFactory;
  private final Clock clock;
  private final StoreDeliveries<ConsumerRecord<K, V>> deliveries;
  private final Map<TopicPartition, Retry> retries = new HashMap<>();
  private final Object lifecycle = new Object();
  private final CountDownLatch closing = new CountDownLatch(1);
  private Consumer<K, V> consumer;
  private Thread thread;
  private boolean polledByCaller;
  private volatile boolean closed;

  /**
   * A consumer of validated {@code config} that creates its Kafka consumer with {@code
   * consumerFactory} and runs records through {@code deliveries}; creates nothing yet.
   */
  public DefaultKafkaDedupConsumer(
      KafkaDedupConsumerConfig config,
      Supplier<? extends Consumer<K, V>> consumerFactory,
      Clock clock,
      StoreDeliveries<ConsumerRecord<K, V>> deliveries) {
    this.config = config;
    this.consumerFactory = consumerFactory;
    this.clock = clock;
    this.deliveries = deliveries;
  }

  @Override
  public void start() {
    synchronized (lifecycle) {
      requireOpen();
      if (thread != null) {
        return;
      }
      if (polledByCaller) {
        throw new IllegalStateException(
            "runOnce() was used on this consumer; use either runOnce() or start(), not both");
      }
      createConsumer();
      thread = new Thread(this::loop, "outpost-dedup-kafka-" + config.consumerName());
      thread.start();
    }
  }

  @Override
  public int runOnce() {
    synchronized (lifecycle) {
      requireOpen();
      if (thread != null) {
        throw new IllegalStateException("the consumer was started; runOnce() is for manual use");
      }
      polledByCaller = true;
      if (consumer == null) {
        createConsumer();
      }
    }
    return pollOnce();
  }

  @Override
  public DedupCounts counts() {
    return deliveries.counts();
  }

  @Override
  public KafkaDedupConsumerConfig config() {
    return config;
  }

  @Override
  public void close() {
    Thread running;
    synchronized (lifecycle) {
      if (closed) {
        return;
      }
      closed = true;
      closing.countDown();
      running = thread;
      if (running != null && consumer != null) {
        consumer.wakeup();
      }
    }
    if (running == null) {
      closeConsumer();
      return;
    }
    if (running == Thread.currentThread()) {
      return;
    }
    try {
      running.join(config.closeTimeout().toMillis() + 1);
      if (running.isAlive()) {
        log.warn(
            "Kafka dedup consumer '{}' did not stop within {}",
            config.consumerName(),
            config.closeTimeout());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(
          "Kafka dedup consumer '" + config.consumerName() + "' was closed; build a new one");
    }
  }

  private void createConsumer() {
    consumer = consumerFactory.get();
    consumer.subscribe(config.topics(), new ForgetRetriesOnRevoke());
  }

  private void loop() {
    try {
      while (!closed) {
        try {
          pollOnce();
        } catch (WakeupException | InterruptException e) {
          if (!closed) {
            log.warn("Kafka dedup consumer '{}' interrupted", config.consumerName(), e);
          }
        } catch (RuntimeException e) {
          log.warn(
              "Kafka dedup consumer '{}' poll failed; retrying in {}",
              config.consumerName(),
              config.retryBackoff(),
              e);
          awaitClosing(config.retryBackoff());
        }
      }
    } finally {
      closeConsumer();
    }
  }

  private int pollOnce() {
    resumeDuePartitions();
    ConsumerRecords<K, V> records = consumer.poll(config.pollTimeout());
    Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
    int handled = 0;
    for (TopicPartition partition : records.partitions()) {
      for (ConsumerRecord<K, V> record : records.records(partition)) {
        if (closed || !process(partition, record)) {
          // Not processed: rewind, so a later poll (or the next owner) reads it again.
          consumer.seek(partition, record.offset());
          break;
        }
        done.put(partition, new OffsetAndMetadata(record.offset() + 1, record.leaderEpoch(), ""));
        handled++;
      }
    }
    commit(done);
    return handled;
  }

  /** Returns whether the record's transaction committed; on failure pauses its partition. */
  private boolean process(TopicPartition partition, ConsumerRecord<K, V> record) {
    UUID messageId = KafkaMessageIds.of(record);
    try {
      if (deliveries.process(messageId, record) == ProcessOutcome.IN_PROGRESS) {
        scheduleRetry(
            partition,
            record,
            messageId,
            new IllegalStateException(
                "another delivery of message " + messageId + " is being processed"));
        return false;
      }
      retries.remove(partition);
      return true;
    } catch (RuntimeException e) {
      scheduleRetry(partition, record, messageId, e);
      return false;
    }
  }

  private void scheduleRetry(
      TopicPartition partition, ConsumerRecord<K, V> record, UUID messageId, RuntimeException e) {
    Retry previous = retries.get(partition);
    int attempt = previous != null && previous.offset == record.offset() ? previous.attempt + 1 : 1;
    Duration backoff = backoff(attempt);
    Instant resumeAt = clock.instant().plus(backoff);
    retries.put(partition, new Retry(record.offset(), attempt, resumeAt));
    consumer.pause(List.of(partition));
    log.warn(
        "Kafka dedup consumer '{}' failed on {} offset {} (message {}, attempt {});"
            + " retrying in {}",
        config.consumerName(),
        partition,
        record.offset(),
        messageId,
        attempt,
        backoff,
        e instanceof DedupTransactions.WorkFailedException ? e.getCause() : e);
  }

  private Duration backoff(int attempt) {
    Duration backoff = config.retryBackoff();
    for (int i = 1; i < attempt && backoff.compareTo(config.maxRetryBackoff()) < 0; i++) {
      backoff = backoff.multipliedBy(2);
    }
    return backoff.compareTo(config.maxRetryBackoff()) > 0 ? config.maxRetryBackoff() : backoff;
  }

  private void resumeDuePartitions() {
    if (retries.isEmpty()) {
      return;
    }
    Instant now = clock.instant();
    for (Map.Entry<TopicPartition, Retry> entry : retries.entrySet()) {
      if (!entry.getValue().resumeAt.isAfter(now) && consumer.paused().contains(entry.getKey())) {
        consumer.resume(List.of(entry.getKey()));
      }
    }
  }

  private void commit(Map<TopicPartition, OffsetAndMetadata> done) {
    if (done.isEmpty()) {
      return;
    }
    try {
      try {
        consumer.commitSync(done, config.commitTimeout());
      } catch (WakeupException e) {
        // close() woke the consumer while it committed: commit once more, the wake-up is spent.
        consumer.commitSync(done, config.commitTimeout());
      }
    } catch (InterruptException e) {
      throw e;
    } catch (KafkaException e) {
      // The database has the effect; a re-delivery after this lost commit is skipped as duplicate.
      log.warn(
          "Kafka dedup consumer '{}' could not commit offsets {}; the records will be delivered"
              + " again and skipped as duplicates",
          config.consumerName(),
          done,
          e);
    }
  }

  private void awaitClosing(Duration timeout) {
    try {
      closing.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void closeConsumer() {
    Consumer<K, V> toClose;
    synchronized (lifecycle) {
      toClose = consumer;
      consumer = null;
    }
    if (toClose == null) {
      return;
    }
    try {
      toClose.close(config.closeTimeout());
    } catch (RuntimeException e) {
      log.warn("Kafka consumer of '{}' did not close cleanly", config.consumerName(), e);
    }
  }

  private record Retry(long offset, int attempt, Instant resumeAt) {}

  private final class ForgetRetriesOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      forget(partitions);
    }

    private void forget(Collection<TopicPartition> partitions) {
      for (Iterator<TopicPartition> it = retries.keySet().iterator(); it.hasNext(); ) {
        if (partitions.contains(it.next())) {
          it.remove();
        }
      }
    }
  }
}
