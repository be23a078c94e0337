package dev.outpost.relay.kafka.internal;

import dev.outpost.relay.KeyOrderGuard;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import dev.outpost.relay.brokers.internal.AvailabilityCheck;
import dev.outpost.relay.brokers.internal.BatchOutcome;
import dev.outpost.relay.brokers.internal.NotSentException;
import dev.outpost.relay.brokers.internal.PublisherThreads;
import dev.outpost.relay.kafka.KafkaPublisher;
import dev.outpost.relay.kafka.KafkaPublisherConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.InterruptException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link KafkaPublisher}: one producer shared by all relay threads, confirms per record. */
public final class ConfirmingKafkaPublisher implements KafkaPublisher {

  private static final Logger log = LoggerFactory.getLogger(ConfirmingKafkaPublisher.class);

  /**
   * The producer itself fails a record after delivery.timeout.ms; this margin only catches a
   * callback that never comes (a producer bug, a wedged I/O thread), so that no batch waits
   * forever.
   */
  private static final Duration SAFETY_MARGIN = Duration.ofSeconds(5);

  /** Longest wait for the cluster's answer when telling an outage from a message's failure. */
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

  /** After a broker-side refusal, probes publish for this long instead of asking the cluster. */
  private static final Duration REFUSAL_MEMORY = Duration.ofMinutes(1);

  private final KafkaPublisherConfig config;
  private final Map<String, Object> producerProperties;
  private final KafkaRecords records;
  private final Duration deadline;
  private final PublisherThreads threads = new PublisherThreads("outpost-kafka-publisher");
  private final Object lock = new Object();
  private final AvailabilityCheck availability;
  private volatile long lastBrokerRefusalNanos;
  private Producer<byte[], byte[]> producer;
  private Admin admin;
  private boolean adminFailed;
  private boolean closed;

  /** A publisher for {@code config}; creates the producer on first use. */
  public ConfirmingKafkaPublisher(KafkaPublisherConfig config) {
    this.config = config;
    this.producerProperties = config.producerPropertiesWithSerializers();
    this.records =
        new KafkaRecords(config, (int) Math.min(config.maxRequestSize(), config.bufferMemory()));
    this.deadline = config.sendTimeout().plus(SAFETY_MARGIN);
    this.availability =
        new AvailabilityCheck(
            this::probe,
            PROBE_TIMEOUT,
            "Kafka at " + producerProperties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
    warnAboutUnknownProperties(config.producerProperties());
  }

  @Override
  public KafkaPublisherConfig config() {
    return config;
  }

  @Override
  public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
    BatchOutcome outcome = new BatchOutcome(batch.size(), threads.completion());
    Producer<byte[], byte[]> current;
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
                        "no ack from Kafka for message "
                            + batch.get(i).messageId()
                            + " within "
                            + deadline.toMillis()
                            + " ms; the outcome is unknown, the relay will send it again"))));
    // A timeout or network error is the cluster's outage when the cluster does not answer a probe
    // (a missing topic also times out, while the cluster answers).
    return outcome
        .stage()
        .thenApplyAsync(
            results -> availability.resolve(results, KafkaRecords::suspect),
            threads.completionOrCaller());
  }

  private PublishResult classified(
      RelayMessage message, ProducerRecord<byte[], byte[]> record, Exception error) {
    PublishResult result = KafkaRecords.classify(message, record.topic(), error);
    if (result instanceof PublishResult.Unavailable) {
      lastBrokerRefusalNanos = System.nanoTime();
    }
    return result;
  }

  /**
   * Asks the cluster for its nodes through an admin client made from the producer's connection
   * settings. Unknown after a broker-side refusal (not enough replicas, no leader), which a cluster
   * that answers can keep giving: the relay then probes with the head message.
   */
  @Override
  public Availability probe(Duration timeout) {
    long sinceRefusal = System.nanoTime() - lastBrokerRefusalNanos;
    if (lastBrokerRefusalNanos != 0 && sinceRefusal < REFUSAL_MEMORY.toNanos()) {
      // The cluster answers but refuses writes (not enough replicas, no leader): only a publish
      // can tell when it takes them again.
      return Availability.UNKNOWN;
    }
    Admin client = admin();
    if (client == null) {
      return Availability.UNKNOWN;
    }
    int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    try {
      var nodes =
          client
              .describeCluster(new DescribeClusterOptions().timeoutMs(millis))
              .nodes()
              .get(millis + 500L, TimeUnit.MILLISECONDS);
      return nodes.isEmpty() ? Availability.UNAVAILABLE : Availability.AVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Availability.UNAVAILABLE;
    } catch (ExecutionException | java.util.concurrent.TimeoutException | RuntimeException e) {
      return Availability.UNAVAILABLE;
    }
  }

  private Admin admin() {
    synchronized (lock) {
      if (closed || adminFailed) {
        return null;
      }
      if (admin == null) {
        Map<String, Object> properties = new HashMap<>();
        producerProperties.forEach(
            (k, v) -> {
              if (AdminClientConfig.configNames().contains(k)) {
                properties.put(k, v);
              }
            });
        properties.put(
            AdminClientConfig.CLIENT_ID_CONFIG,
            producerProperties.getOrDefault(ProducerConfig.CLIENT_ID_CONFIG, "outpost-relay")
                + "-probe");
        try {
          admin = Admin.create(properties);
        } catch (RuntimeException e) {
          adminFailed = true;
          log.warn(
              "Kafka publisher cannot probe the cluster ({}); it reports timeouts as message"
                  + " failures",
              e.toString());
          return null;
        }
      }
      return admin;
    }
  }

  private Producer<byte[], byte[]> producer() {
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException(
            "the Kafka publisher is closed; build a new one to publish again");
      }
      if (producer == null) {
        producer = config.producerFactory().apply(producerProperties);
        log.info(
            "Kafka producer {} created for {}",
            producerProperties.get(ProducerConfig.CLIENT_ID_CONFIG),
            producerProperties.get(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG));
      }
      return producer;
    }
  }

  /** Replaces a producer that can no longer send; the next batch gets a new one. */
  private void discard(Producer<byte[], byte[]> broken, RuntimeException cause) {
    synchronized (lock) {
      if (producer != broken) {
        return;
      }
      producer = null;
    }
    log.warn("Kafka producer failed and is replaced: {}", cause.toString());
    try {
      threads.completion().execute(() -> closeQuietly(broken, Duration.ZERO));
    } catch (RuntimeException e) {
      closeQuietly(broken, Duration.ZERO);
    }
  }

  @Override
  public void close() {
    Producer<byte[], byte[]> toClose;
    Admin adminToClose;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      toClose = producer;
      producer = null;
      adminToClose = admin;
      admin = null;
    }
    if (adminToClose != null) {
      try {
        adminToClose.close(Duration.ZERO);
      } catch (RuntimeException e) {
        log.debug("Kafka probe client did not close cleanly: {}", e.toString());
      }
    }
    if (toClose != null) {
      closeQuietly(toClose, config.closeTimeout());
    }
    threads.close(config.closeTimeout());
  }

  private static void closeQuietly(Producer<byte[], byte[]> producer, Duration timeout) {
    try {
      producer.close(timeout);
    } catch (InterruptException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      log.warn("Kafka producer did not close cleanly: {}", e.toString());
    }
  }

  private static void warnAboutUnknownProperties(Map<String, Object> properties) {
    for (String name : properties.keySet()) {
      if (!ProducerConfig.configNames().contains(name)) {
        log.warn(
            "producer property '{}' is not a Kafka producer setting (typo?); it is passed on to"
                + " plugins only",
            name);
      }
    }
  }

  /**
   * Sends one batch; holds back what must not overtake a message that did not get through: the
   * later messages of its key (also after a rejected one, which the relay may park the key for),
   * and of its topic when the producer could not take it.
   */
  private final class BatchSend {
    private final Producer<byte[], byte[]> producer;
    private final List<RelayMessage> batch;
    private final BatchOutcome outcome;
    private final KeyOrderGuard keys = new KeyOrderGuard();
    private final Set<String> heldBackTopics = new HashSet<>();
    private boolean blockedOnce;

    BatchSend(Producer<byte[], byte[]> producer, List<RelayMessage> batch, BatchOutcome outcome) {
      this.producer = producer;
      this.batch = batch;
      this.outcome = outcome;
    }

    void run() {
      for (int i = 0; i < batch.size(); i++) {
        RelayMessage message = batch.get(i);
        if (keys.heldBack(message)) {
          outcome.complete(i, keys.notSent(message));
          continue;
        }
        ProducerRecord<byte[], byte[]> record;
        try {
          record = records.toRecord(message);
        } catch (KafkaRecords.Unpublishable e) {
          outcome.complete(i, PublishResult.rejected(e));
          holdBack(message, null);
          continue;
        } catch (RuntimeException e) {
          outcome.complete(i, PublishResult.failed(e));
          holdBack(message, null);
          continue;
        }
        if (heldBackTopics.contains(record.topic())) {
          outcome.complete(
              i, PublishResult.failed(NotSentException.sameDestination(message, record.topic())));
          holdBack(message, null);
          continue;
        }
        if (!send(i, message, record)) {
          return;
        }
      }
    }

    /** Returns false when the rest of the batch must not be sent. */
    private boolean send(int i, RelayMessage message, ProducerRecord<byte[], byte[]> record) {
      try {
        producer.send(
            record,
            (metadata, error) ->
                outcome.complete(
                    i,
                    error == null
                        ? PublishResult.confirmed()
                        : classified(message, record, error)));
      } catch (InterruptException e) {
        outcome.failFrom(i, e);
        return false;
      } catch (RuntimeException e) {
        outcome.failFrom(i, e);
        discard(producer, e);
        return false;
      }
      // The producer reports metadata and buffer-space timeouts by calling the callback before
      // send() returns, after blocking up to max.block.ms; a second such block would only add
      // another max.block.ms to this batch, so then the rest is failed unsent.
      PublishResult early = outcome.result(i);
      if (early instanceof PublishResult.Rejected) {
        holdBack(message, null);
      } else if (early instanceof PublishResult.Failed failed) {
        holdBack(message, record.topic());
        if (blockedOnce) {
          outcome.failFrom(i + 1, NotSentException.rest(message, failed.cause()));
          return false;
        }
        blockedOnce = true;
      }
      return true;
    }

    private void holdBack(RelayMessage message, String topic) {
      keys.holdBack(message);
      if (topic != null) {
        heldBackTopics.add(topic);
      }
    }
  }
}
