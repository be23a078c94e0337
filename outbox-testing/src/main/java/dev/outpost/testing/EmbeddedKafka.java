package dev.outpost.testing;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real Kafka broker (KRaft, one combined broker/controller node) running inside the test JVM,
 * built on Kafka's own {@code KafkaClusterTestKit}. Needs {@code
 * org.apache.kafka:kafka-test-common-runtime}, {@code kafka_2.13} and {@code kafka-server} on the
 * test classpath.
 *
 * <p>Use {@link #shared()} for one broker per test JVM, or {@link #start()} for a private one
 * (close it). A private broker can be stopped and started again ({@link #stopBroker()}, {@link
 * #startBroker()}) to simulate an outage: it comes back on the same port, so clients reconnect.
 * Thread-safe.
 */
public final class EmbeddedKafka implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedKafka.class);
  private static EmbeddedKafka shared;

  private final KafkaClusterTestKit cluster;

  private EmbeddedKafka(KafkaClusterTestKit cluster) {
    this.cluster = cluster;
  }

  /** The broker shared by this test JVM, started on first use and stopped at JVM exit. */
  public static synchronized EmbeddedKafka shared() {
    if (shared == null) {
      shared = start();
      EmbeddedKafka broker = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "outpost-test-kafka-stop"));
    }
    return shared;
  }

  /**
   * Starts a private single-node KRaft cluster.
   *
   * @throws IllegalStateException if the broker does not come up
   */
  public static EmbeddedKafka start() {
    try {
      KafkaClusterTestKit cluster =
          new KafkaClusterTestKit.Builder(
                  new TestKitNodes.Builder()
                      .setCombined(true)
                      .setNumBrokerNodes(1)
                      .setNumControllerNodes(1)
                      .build())
              .setConfigProp("offsets.topic.replication.factor", "1")
              .setConfigProp("transaction.state.log.replication.factor", "1")
              .setConfigProp("transaction.state.log.min.isr", "1")
              .setConfigProp("group.initial.rebalance.delay.ms", "0")
              .setConfigProp("auto.create.topics.enable", "false")
              .build();
      cluster.format();
      cluster.startup();
      cluster.waitForReadyBrokers();
      log.info("Embedded Kafka broker up at {}", cluster.bootstrapServers());
      return new EmbeddedKafka(cluster);
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not start the embedded Kafka broker: " + e, e);
    }
  }

  /** The {@code bootstrap.servers} value of the broker. */
  public String bootstrapServers() {
    return cluster.bootstrapServers();
  }

  /** The underlying test kit, for tests that stop and restart brokers. */
  public KafkaClusterTestKit cluster() {
    return cluster;
  }

  /** Creates a topic with {@code partitions} partitions (replication 1); no-op when it exists. */
  public void createTopic(String topic, int partitions) {
    try (Admin admin = admin()) {
      admin
          .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw new IllegalStateException("could not create topic " + topic + ": " + e.getCause(), e);
      }
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not create topic " + topic + ": " + e, e);
    }
    awaitTopicReady(topic, partitions);
  }

  /**
   * Waits until every partition of {@code topic} answers a ListOffsets request at its leader.
   *
   * <p>A topic the controller just created is in the metadata a moment before its broker acts as
   * leader. A first produce in that moment fails with NOT_LEADER_OR_FOLLOWER; an idempotent
   * producer that meanwhile lands a later batch then retries the first one against
   * OUT_OF_ORDER_SEQUENCE_NUMBER until its delivery timeout. ListOffsets takes the same leader
   * check as a produce and writes nothing.
   *
   * @throws IllegalStateException if the partitions have no working leader within 30 seconds
   */
  public void awaitTopicReady(String topic, int partitions) {
    awaitTopicReady(bootstrapServers(), topic, partitions);
  }

  /** {@link #awaitTopicReady(String, int)} for any broker, e.g. one an application was given. */
  public static void awaitTopicReady(String bootstrapServers, String topic, int partitions) {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    Exception last = null;
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      while (System.nanoTime() < deadline) {
        try {
          admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
          return;
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
          last = e;
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted waiting for topic " + topic, e);
        }
      }
    }
    throw new IllegalStateException(
        "topic " + topic + " has no working leader for all " + partitions + " partitions: " + last,
        last);
  }

  /**
   * Stops the broker node (the KRaft controller keeps running): clients see the broker as down
   * until {@link #startBroker()}. Do not call it on the {@link #shared()} broker.
   */
  public void stopBroker() {
    cluster.brokers().values().forEach(broker -> broker.shutdown());
    log.info("Embedded Kafka broker stopped");
  }

  /**
   * Starts the broker stopped by {@link #stopBroker()} again on the same port and waits until it
   * serves requests.
   *
   * @throws IllegalStateException if it does not come back
   */
  public void startBroker() {
    try {
      cluster.brokers().values().forEach(broker -> broker.startup());
      cluster.waitForReadyBrokers();
      log.info("Embedded Kafka broker started again at {}", bootstrapServers());
    } catch (Exception e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      throw new IllegalStateException("could not restart the embedded Kafka broker: " + e, e);
    }
  }

  /** A new admin client for this broker; the caller closes it. */
  public Admin admin() {
    Properties props = new Properties();
    props.putAll(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    return Admin.create(props);
  }

  @Override
  public void close() {
    try {
      cluster.close();
    } catch (Exception e) {
      log.warn("embedded Kafka did not stop cleanly", e);
    }
  }
}
