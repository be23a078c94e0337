package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.internal.WakeUps;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The relay on MariaDB: per-key order across a failure, dead letter and replay, and the wake-ups
 * that replace LISTEN/NOTIFY (polling, and the nudge of a writer in the same JVM). Runs only in the
 * MariaDB run of the suite (the build excludes {@code MariaDb*Test} from the PostgreSQL run).
 */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(60)
class MariaDbRelayTest {

  private final MutableClock clock = MutableClock.atSystemTime();
  private TestDatabase db;
  private Messages messages;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
  }

  private Relay.Builder relay(RecordingPublisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .partitions(1)
        .backoffBase(Duration.ofSeconds(1))
        .backoffJitter(0);
  }

  private static List<String> payloads(RecordingPublisher publisher) {
    return publisher.messages().stream().map(Messages::payload).toList();
  }

  @Test
  void the_database_is_mariadb() {
    assertThat(db.isPostgres()).isFalse();
  }

  @Test
  void keeps_a_keys_order_across_a_failure_while_other_keys_go_on() {
    RecordingPublisher publisher = new RecordingPublisher().failKey("a", 1);
    messages.send("t", "a", "a1");
    messages.send("t", "b", "b1");
    messages.send("t", "a", "a2");
    try (Relay relay = relay(publisher).clock(clock).build()) {
      assertThat(relay.runOnce()).isEqualTo(1);
      assertThat(payloads(publisher)).containsExactly("b1");
      assertThat(db.queryLong("SELECT attempts FROM outbox_message WHERE payload = 'a1'"))
          .isEqualTo(1);
      assertThat(relay.runOnce()).as("a1 backs off and a2 waits behind it").isZero();

      clock.advance(Duration.ofSeconds(1));
      assertThat(relay.runOnce()).isEqualTo(2);
    }
    assertThat(payloads(publisher)).containsExactly("b1", "a1", "a2");
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void dead_letters_a_failing_message_parks_its_key_and_replays_it_in_order() {
    RecordingPublisher publisher = new RecordingPublisher().failKey("a", 1);
    UUID a1 = messages.send("t", "a", "a1");
    messages.send("t", "a", "a2");
    messages.send("t", "b", "b1");
    try (Relay relay = relay(publisher).clock(clock).maxAttempts(1).build()) {
      assertThat(relay.runOnce()).isEqualTo(1);
      assertThat(payloads(publisher)).containsExactly("b1");
      List<DeadLetter> dead = relay.deadLetters().list(DeadLetterFilter.all(), 0, 10);
      assertThat(dead).extracting(DeadLetter::messageId).containsExactly(a1);
      assertThat(dead.get(0).attempts()).isEqualTo(1);
      assertThat(dead.get(0).lastError()).contains("RecordingPublisher fails key 'a'");
      assertThat(relay.runOnce()).as("a2 is parked behind its dead letter").isZero();

      assertThat(relay.deadLetters().replay(DeadLetterFilter.all().key("a"))).isEqualTo(1);
      assertThat(relay.deadLetters().count(DeadLetterFilter.all())).isZero();
      assertThat(relay.runOnce()).isEqualTo(2);
    }
    assertThat(payloads(publisher)).containsExactly("b1", "a1", "a2");
    assertThat(publisher.messages().get(1).messageId()).isEqualTo(a1);
  }

  @Test
  void polling_publishes_a_row_committed_by_another_connection() throws Exception {
    RecordingPublisher publisher = new RecordingPublisher();
    messages.send("t", "k", "first");
    try (Relay relay =
        relay(publisher)
            .fastPollInterval(Duration.ofMillis(10))
            .pollInterval(Duration.ofMillis(200))
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(10)).until(() -> publisher.messages().size() == 1);

      insertWithoutTheWriter("second"); // no nudge: only polling finds it
      await().atMost(Duration.ofSeconds(5)).until(() -> publisher.messages().size() == 2);
    }
    assertThat(payloads(publisher)).containsExactly("first", "second");
  }

  @Test
  void a_writer_in_the_same_jvm_nudges_the_relay_past_a_long_poll_interval() {
    RecordingPublisher publisher = new RecordingPublisher();
    insertWithoutTheWriter("first");
    try (Relay relay =
        relay(publisher)
            .fastPollInterval(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMinutes(1))
            .build()) {
      relay.start();
      // Published by the poll that follows taking the lease; the next poll is a minute away.
      await().atMost(Duration.ofSeconds(10)).until(() -> publisher.messages().size() == 1);

      messages.send("t", "k", "second"); // the writer's nudge arrives before its commit
      await().atMost(Duration.ofSeconds(5)).until(() -> publisher.messages().size() == 2);
    }
    assertThat(payloads(publisher)).containsExactly("first", "second");
  }

  @Test
  void a_nudge_for_any_partition_wakes_every_owned_partition() {
    RecordingPublisher publisher = new RecordingPublisher();
    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(4)
            .fastPollInterval(Duration.ofMinutes(1))
            .pollInterval(Duration.ofMinutes(1))
            .build()) {
      relay.start();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> relay.health().ownedPartitions().size() == 4);
      for (int partition = 0; partition < 4; partition++) {
        insertWithoutTheWriter("p" + partition, partition);
      }
      // What the delay scheduler's sweep signals after moving messages (it knows no partitions).
      WakeUps.written(relay.config().schema(), WakeUps.ANY_PARTITION);
      await().atMost(Duration.ofSeconds(5)).until(() -> publisher.messages().size() == 4);
    }
    assertThat(payloads(publisher)).containsExactlyInAnyOrder("p0", "p1", "p2", "p3");
  }

  /** A row inserted with plain SQL on a connection of its own (the writer is not involved). */
  private void insertWithoutTheWriter(String payload) {
    insertWithoutTheWriter(payload, 0);
  }

  private void insertWithoutTheWriter(String payload, int partition) {
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
            + " headers, created_at, available_at) VALUES ("
            + Sql.uuid(db, UUID.randomUUID())
            + ", 't', 'k"
            + partition
            + "', "
            + partition
            + ", '"
            + payload
            + "', '{}', "
            + Sql.time(db, clock.instant())
            + ", "
            + Sql.time(db, clock.instant())
            + ")");
  }
}
