package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two nodes of one Quartz cluster (same scheduler name, own pools) on one database. */
@ExtendWith(OutpostDatabaseExtension.class)
@PostgresOnly // 20,000 messages through two Quartz nodes: run on one database; GuaranteesTest
// covers MariaDB
class ClusterTest {

  private static final int MESSAGES = 20_000;

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  ClusterTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void clearQuartz() {
    QuartzTables.clear(db);
  }

  private DelayScheduler node(String cluster, DataSource pool, SimpleMeterRegistry registry) {
    return DelayScheduler.builder()
        .dataSource(pool)
        .clock(clock)
        .sweepInterval(Duration.ofMillis(50))
        .batchSize(500)
        .meterRegistry(registry)
        .quartzSchedulerName(cluster)
        .build();
  }

  private static double moved(SimpleMeterRegistry registry) {
    return registry.get("outpost.delay.moved").counter().count();
  }

  @Test
  void two_nodes_sweep_20000_due_messages_together_and_each_is_delivered_once() throws Exception {
    SimpleMeterRegistry registryA = new SimpleMeterRegistry();
    SimpleMeterRegistry registryB = new SimpleMeterRegistry();
    try (HikariDataSource poolA = db.newDataSource(8, "node-a");
        HikariDataSource poolB = db.newDataSource(8, "node-b");
        DelayScheduler nodeA = node("outpost-cluster-test", poolA, registryA);
        DelayScheduler nodeB = node("outpost-cluster-test", poolB, registryB)) {
      nodeA.start();
      nodeB.start();
      Set<UUID> scheduled = scheduleDue(nodeA);
      clock.advance(Duration.ofMinutes(1));

      // Besides the Quartz sweeps (one node at a time), each node also sweeps from a thread of
      // its own, so the move statements of both nodes compete for the same rows.
      ExecutorService threads = Executors.newFixedThreadPool(2);
      CyclicBarrier start = new CyclicBarrier(2);
      try {
        List<Future<?>> sweepers = new ArrayList<>();
        for (DelayScheduler node : List.of(nodeA, nodeB)) {
          sweepers.add(
              threads.submit(
                  () -> {
                    start.await();
                    while (db.queryLong("SELECT count(*) FROM delayed_message") > 0) {
                      node.runOnce();
                    }
                    return null;
                  }));
        }
        for (Future<?> sweeper : sweepers) {
          sweeper.get(120, TimeUnit.SECONDS);
        }
      } finally {
        threads.shutdownNow();
      }

      assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isEqualTo(MESSAGES);
      assertThat(outboxMessageIds()).isEqualTo(scheduled);
      // Move transactions of both nodes are serialised: outbox ids follow due order.
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM (SELECT available_at < lag(available_at) OVER (ORDER BY id)"
                      + " AS back FROM outbox_message) x WHERE back"))
          .as("outbox rows whose due time is earlier than the previous row's")
          .isZero();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> moved(registryA) + moved(registryB) == MESSAGES);
      assertThat(moved(registryA)).as("node A moved some").isPositive();
      assertThat(moved(registryB)).as("node B moved some").isPositive();
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM qrtz_scheduler_state"
                      + " WHERE sched_name = 'outpost-cluster-test'"))
          .as("both nodes checked into one Quartz cluster")
          .isEqualTo(2);
    }
  }

  @Test
  void when_one_node_leaves_the_other_keeps_sweeping() throws Exception {
    try (HikariDataSource poolA = db.newDataSource(8, "node-a");
        HikariDataSource poolB = db.newDataSource(8, "node-b");
        DelayScheduler nodeA = node("outpost-failover-test", poolA, new SimpleMeterRegistry());
        DelayScheduler nodeB = node("outpost-failover-test", poolB, new SimpleMeterRegistry())) {
      nodeA.start();
      inTx(db.dataSource(), c -> nodeA.schedule(c, message(0), Duration.ZERO));
      await().atMost(Duration.ofSeconds(30)).until(() -> outboxCount() == 1);
      nodeB.start(); // node A holds the sweep trigger: it acquires each next fire right away

      nodeA.close();
      inTx(db.dataSource(), c -> nodeB.schedule(c, message(1), Duration.ZERO));

      await().atMost(Duration.ofSeconds(60)).until(() -> outboxCount() == 2);
    }
  }

  private long outboxCount() {
    return db.queryLong("SELECT count(*) FROM outbox_message");
  }

  private static OutboxMessage message(int i) {
    return OutboxMessage.to("order-timeout")
        .key("order-" + i)
        .payload(utf8("release " + i))
        .build();
  }

  private Set<UUID> scheduleDue(DelayScheduler node) {
    Set<UUID> ids = new HashSet<>();
    for (int chunk = 0; chunk < MESSAGES; chunk += 2_000) {
      int first = chunk;
      inTx(
          db.dataSource(),
          c -> {
            for (int i = first; i < first + 2_000; i++) {
              ids.add(
                  node.schedule(c, message(i), Duration.ofSeconds(i % 60), "order-" + i)
                      .messageId());
            }
            return null;
          });
    }
    return ids;
  }

  private Set<UUID> outboxMessageIds() throws Exception {
    Set<UUID> ids = new HashSet<>();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT message_id FROM outbox_message")) {
      while (rs.next()) {
        ids.add(rs.getObject(1, UUID.class));
      }
    }
    return ids;
  }
}
