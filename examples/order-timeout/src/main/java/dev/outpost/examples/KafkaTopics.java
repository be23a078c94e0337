package dev.outpost.examples;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates Kafka topics and waits until their leaders accept requests. */
public final class KafkaTopics {

  private static final long READY_TIMEOUT_SECONDS = 30;

  private KafkaTopics() {}

  /**
   * Creates {@code topic} with {@code partitions} partitions (replication 1) unless it exists, then
   * waits until every partition answers a ListOffsets request at its leader. A produce to a topic
   * whose leader is not active yet fails with NOT_LEADER_OR_FOLLOWER, and an idempotent producer
   * that meanwhile landed a later batch then retries the first one until its delivery timeout;
   * ListOffsets takes the same leader check and writes nothing.
   *
   * @throws IllegalStateException naming the broker and topic when Kafka does not answer in time
   */
  public static void createAndAwait(String bootstrap, String topic, int partitions) {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      try {
        admin
            .createTopics(List.of(new NewTopic(topic, partitions, (short) 1)))
            .all()
            .get(READY_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw new IllegalStateException(
              "cannot create Kafka topic " + topic + " at " + bootstrap + ": " + e.getCause(), e);
        }
      }
      awaitLeaders(admin, topic, partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topic " + topic, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "Kafka at " + bootstrap + " did not answer within " + READY_TIMEOUT_SECONDS + " s", e);
    }
  }

  private static void awaitLeaders(Admin admin, String topic, int partitions)
      throws InterruptedException {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (int p = 0; p < partitions; p++) {
      latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(READY_TIMEOUT_SECONDS);
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        admin.listOffsets(latest).all().get(5, TimeUnit.SECONDS);
        return;
      } catch (ExecutionException | TimeoutException e) {
        last = e;
      }
    }
    throw new IllegalStateException(
        "Kafka topic " + topic + " has no working leader for all partitions: " + last, last);
  }
}
