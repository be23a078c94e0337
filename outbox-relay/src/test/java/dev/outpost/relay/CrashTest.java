package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.io.File;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * A relay killed in the middle of publishing (process or database sessions) loses nothing.
 * PostgreSQL only: a heavy crash scenario (pg_terminate_backend) the build runs on one database.
 */
@PostgresOnly
@ExtendWith(OutpostDatabaseExtension.class)
class CrashTest {

  @Test
  void a_relay_killed_mid_publish_loses_nothing_and_keeps_key_order(TestDatabase db)
      throws Exception {
    db.execute("DROP TABLE IF EXISTS " + TableRecordingPublisher.TABLE);
    db.execute(TableRecordingPublisher.CREATE);
    List<UUID> committed = new Messages(db.dataSource()).sendSpread("orders", 5000, 50);

    Process child = startChild(db);
    try {
      await().atMost(Duration.ofSeconds(90)).until(() -> !child.isAlive() || delivered(db) >= 1000);
      assertThat(child.isAlive()).as("child relay still running when killed").isTrue();
      child.destroyForcibly();
      assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
    } finally {
      child.destroyForcibly();
    }
    assertThat(child.exitValue()).as("killed by SIGKILL").isEqualTo(137);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).as("work left").isPositive();

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(new TableRecordingPublisher(db.dataSource(), Duration.ZERO))
            .instanceId("survivor")
            .leaseDuration(CrashingRelayMain.LEASE)
            .build()) {
      relay.start();
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> db.queryLong("SELECT count(*) FROM outbox_message") == 0);
    }

    int duplicates = Deliveries.check(committed, history(db));
    LoggerFactory.getLogger(CrashTest.class)
        .info("killed relay: 5000 messages delivered, {} duplicates", duplicates);
    assertThat(duplicates)
        .as("duplicates only from the batches in flight at the kill")
        .isLessThanOrEqualTo(CrashingRelayMain.THREADS * CrashingRelayMain.BATCH_SIZE);
  }

  @Test
  void a_relay_whose_database_sessions_are_terminated_mid_publish_recovers_without_loss(
      TestDatabase db) throws Exception {
    List<UUID> committed = new Messages(db.dataSource()).sendSpread("orders", 3000, 30);
    RecordingPublisher recorder = new RecordingPublisher();
    Publisher slow =
        batch -> {
          try {
            TimeUnit.MILLISECONDS.sleep(5);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return recorder.publish(batch);
        };
    try (HikariDataSource pool = db.newDataSource(8, "terminated-relay");
        Relay relay =
            Relay.builder()
                .dataSource(pool)
                .publisher(slow)
                .batchSize(50)
                .pollInterval(Duration.ofMillis(200))
                .build()) {
      relay.start();
      for (int kill = 1; kill <= 3; kill++) {
        int reached = kill * 500;
        await().atMost(Duration.ofSeconds(60)).until(() -> recorder.count() >= reached);
        db.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                + " WHERE pid <> pg_backend_pid() AND datname = current_database()"
                + " AND backend_type = 'client backend'");
      }
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> db.queryLong("SELECT count(*) FROM outbox_message") == 0);
      await().atMost(Duration.ofSeconds(20)).until(() -> relay.health().listening());
    }

    List<Deliveries.Delivery> history =
        recorder.messages().stream()
            .map(
                m ->
                    new Deliveries.Delivery(
                        m.messageId(), m.key(), Long.parseLong(Messages.payload(m))))
            .toList();
    int duplicates = Deliveries.check(committed, history);
    assertThat(duplicates)
        .as("at most the in-flight batches per kill")
        .isLessThanOrEqualTo(3 * 4 * 50);
  }

  private static Process startChild(TestDatabase db) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    File log = new File("target/crashing-relay.log");
    return new ProcessBuilder(
            java,
            "-XX:TieredStopAtLevel=1",
            "-Dorg.jooq.no-logo=true",
            "-Dorg.jooq.no-tips=true",
            "-cp",
            System.getProperty("java.class.path"),
            CrashingRelayMain.class.getName(),
            db.jdbcUrl(),
            db.user(),
            db.password())
        .redirectErrorStream(true)
        .redirectOutput(log)
        .start();
  }

  private static long delivered(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM " + TableRecordingPublisher.TABLE);
  }

  private static List<Deliveries.Delivery> history(TestDatabase db) throws Exception {
    List<Deliveries.Delivery> history = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT message_id, message_key, sequence FROM "
                    + TableRecordingPublisher.TABLE
                    + " ORDER BY seq")) {
      while (rs.next()) {
        history.add(
            new Deliveries.Delivery(rs.getObject(1, UUID.class), rs.getString(2), rs.getLong(3)));
      }
    }
    return history;
  }
}
