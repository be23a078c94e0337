package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** PostgreSQL only: LISTEN/NOTIFY wake-ups and a terminated listener session. */
@PostgresOnly
@ExtendWith(OutpostDatabaseExtension.class)
class ListenerTest {

  private static final String LISTENER_PID =
      "SELECT coalesce(max(pid), 0) FROM pg_stat_activity"
          + " WHERE application_name = 'outpost-relay-listener'";

  @Test
  void publishes_a_committed_message_within_seconds_although_polling_is_one_minute(
      TestDatabase db) {
    RecordingPublisher publisher = new RecordingPublisher();
    Messages messages = new Messages(db.dataSource());
    try (HikariDataSource pool = db.newDataSource(8, "listener-test");
        Relay relay =
            Relay.builder()
                .dataSource(pool)
                .publisher(publisher)
                .pollInterval(Duration.ofMinutes(1))
                .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> relay.health().listening());
      await().until(() -> relay.health().ownedPartitions().size() == 16);
      messages.send("t", "warm-up", "0");
      await().atMost(Duration.ofSeconds(10)).until(() -> publisher.count() == 1);

      for (int i = 1; i <= 3; i++) {
        messages.send("t", "key-" + i, Integer.toString(i));
        int expected = i + 1;
        await().atMost(Duration.ofSeconds(5)).until(() -> publisher.count() == expected);
      }
    }
  }

  @Test
  void keeps_delivering_by_polling_while_the_listener_is_down_and_reconnects(TestDatabase db) {
    RecordingPublisher publisher = new RecordingPublisher();
    Messages messages = new Messages(db.dataSource());
    try (HikariDataSource pool = db.newDataSource(8, "listener-kill-test")) {
      FlakyDataSource flaky = new FlakyDataSource(pool);
      try (Relay relay =
          Relay.builder()
              .dataSource(flaky)
              .publisher(publisher)
              .pollInterval(Duration.ofMillis(200))
              .build()) {
        relay.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> relay.health().listening());
        long listenerPid = db.queryLong(LISTENER_PID);
        assertThat(listenerPid).isPositive();

        flaky.refuseThreads("outpost-relay-listener");
        db.execute("SELECT pg_terminate_backend(" + listenerPid + ")");
        await().atMost(Duration.ofSeconds(10)).until(() -> !relay.health().listening());
        messages.send("t", "a", "while-down");
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.count() == 1);
        assertThat(relay.health().listening()).isFalse();

        flaky.acceptAll();
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.health().listening());
        assertThat(db.queryLong(LISTENER_PID)).isPositive().isNotEqualTo(listenerPid);
        messages.send("t", "a", "after-reconnect");
        await().atMost(Duration.ofSeconds(10)).until(() -> publisher.count() == 2);
      }
    }
  }
}
