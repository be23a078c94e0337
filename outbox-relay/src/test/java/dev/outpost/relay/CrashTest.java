package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.testing.OutpostDatabaseExtension;
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

/** A relay killed with SIGKILL in the middle of publishing loses nothing. */
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
