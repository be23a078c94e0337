package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.Outbox;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Retries, backoff, per-key order and dead-lettering, driven by runOnce and a mutable clock. */
@ExtendWith(OutpostDatabaseExtension.class)
class RetryAndOrderingTest {

  private final MutableClock clock = MutableClock.atSystemTime();
  private TestDatabase db;
  private Messages messages;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
  }

  private Relay.Builder relay(Publisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .partitions(1)
        .listen(false)
        .clock(clock)
        .backoffBase(Duration.ofSeconds(1))
        .backoffJitter(0)
        .maxAttempts(3);
  }

  private void sendAB() {
    messages.send("t", "a", "a1");
    messages.send("t", "b", "b1");
    messages.send("t", "a", "a2");
    messages.send("t", "b", "b2");
    messages.send("t", "a", "a3");
  }

  private static List<String> payloads(RecordingPublisher publisher) {
    return publisher.messages().stream().map(Messages::payload).toList();
  }

  @Test
  void keeps_later_messages_of_a_failing_key_back_and_lets_other_keys_go_on() {
    RecordingPublisher publisher = new RecordingPublisher().failKey("a", 2);
    sendAB();
    try (Relay relay = relay(publisher).maxAttempts(10).build()) {
      assertThat(relay.runOnce()).isEqualTo(2);
      assertThat(payloads(publisher)).containsExactly("b1", "b2");
      assertThat(db.queryLong("SELECT attempts FROM outbox_message WHERE payload = 'a1'"))
          .isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM outbox_message WHERE attempts = 0"))
          .isEqualTo(2);

      assertThat(relay.runOnce()).as("a1 backs off, a2 and a3 wait behind it").isZero();
      clock.advance(Duration.ofSeconds(1));
      assertThat(relay.runOnce()).as("second failure, now 2 s backoff").isZero();
      clock.advance(Duration.ofMillis(1999));
      assertThat(relay.runOnce()).isZero();
      clock.advance(Duration.ofMillis(1));
      assertThat(relay.runOnce()).isEqualTo(3);
    }
    assertThat(payloads(publisher)).containsExactly("b1", "b2", "a1", "a2", "a3");
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void records_the_last_error_and_attempt_count_on_the_row() throws Exception {
    RecordingPublisher publisher = new RecordingPublisher().failKey("a", 1);
    messages.send("t", "a", "a1");
    try (Relay relay = relay(publisher).build()) {
      relay.runOnce();
    }
    try (Connection c = db.dataSource().getConnection();
        var rs =
            c.createStatement()
                .executeQuery(
                    "SELECT attempts, last_error, available_at > created_at"
                        + " FROM outbox_message")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(1);
      assertThat(rs.getString(2)).contains("RecordingPublisher fails key 'a'");
      assertThat(rs.getBoolean(3)).isTrue();
    }
  }

  @Test
  void dead_letters_a_key_that_always_fails_and_replay_delivers_it_in_order() {
    RecordingPublisher publisher = new RecordingPublisher().alwaysFailKey("a");
    sendAB();
    UUID deadId;
    try (Relay relay = relay(publisher).build()) {
      relay.runOnce();
      clock.advance(Duration.ofSeconds(1));
      relay.runOnce();
      clock.advance(Duration.ofSeconds(2));
      relay.runOnce();

      DeadLetters deadLetters = relay.deadLetters();
      assertThat(deadLetters.count(DeadLetterFilter.all())).isEqualTo(1);
      DeadLetter dead = deadLetters.list(DeadLetterFilter.all(), 0, 10).get(0);
      deadId = dead.messageId();
      assertThat(dead.key()).isEqualTo("a");
      assertThat(new String(dead.payload())).isEqualTo("a1");
      assertThat(dead.attempts()).isEqualTo(3);
      assertThat(dead.lastError()).contains("failed 3 times", "RecordingPublisher fails key 'a'");
      assertThat(dead.failedAt()).isEqualTo(clock.instant());

      clock.advance(Duration.ofMinutes(10));
      assertThat(relay.runOnce()).as("key a is parked behind its dead letter").isZero();
      assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isEqualTo(2);

      publisher.heal("a");
      assertThat(deadLetters.replay(List.of(dead.messageId()))).isEqualTo(1);
      assertThat(deadLetters.count(DeadLetterFilter.all())).isZero();
      assertThat(relay.runOnce()).isEqualTo(3);
    }
    assertThat(payloads(publisher)).containsExactly("b1", "b2", "a1", "a2", "a3");
    assertThat(publisher.messagesOfKey("a").get(0).messageId())
        .as("replay keeps the message id")
        .isEqualTo(deadId);
  }

  @Test
  void lets_the_rest_of_a_dead_lettered_key_continue_when_keys_are_not_parked() {
    RecordingPublisher publisher = new RecordingPublisher().failKey("a", 1);
    sendAB();
    try (Relay relay = relay(publisher).maxAttempts(1).parkKeyOnDeadLetter(false).build()) {
      relay.runOnce();
      assertThat(relay.runOnce()).isEqualTo(2);
    }
    assertThat(payloads(publisher)).containsExactly("b1", "b2", "a2", "a3");
    assertThat(db.queryLong("SELECT count(*) FROM outbox_dead_letter")).isEqualTo(1);
  }

  @Test
  void dead_letters_a_rejected_message_at_once_with_the_reason() {
    RecordingPublisher publisher = new RecordingPublisher().rejectKey("a");
    messages.send("t", "a", "a1");
    try (Relay relay = relay(publisher).maxAttempts(10).build()) {
      relay.runOnce();

      DeadLetter dead = relay.deadLetters().list(DeadLetterFilter.all(), 0, 10).get(0);
      assertThat(dead.attempts()).isEqualTo(1);
      assertThat(dead.lastError()).startsWith("rejected by the publisher").contains("rejects key");
    }
    assertThat(publisher.attempts()).isEqualTo(1);
  }

  @Test
  void counts_a_publisher_exception_or_a_wrong_result_count_as_failed() {
    Publisher throwing =
        batch -> {
          throw new IllegalStateException("broker client broken");
        };
    Publisher miscounting = batch -> CompletableFuture.completedFuture(List.of());
    messages.send("t", "a", "a1");

    try (Relay relay = relay(throwing).maxAttempts(10).build()) {
      relay.runOnce();
    }
    clock.advance(Duration.ofSeconds(1));
    try (Relay relay = relay(miscounting).maxAttempts(10).build()) {
      relay.runOnce();
    }

    assertThat(db.queryLong("SELECT attempts FROM outbox_message")).isEqualTo(2);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outbox_message WHERE last_error LIKE '%returned 0 results for"
                    + " 1 messages%'"))
        .isEqualTo(1);
  }

  @Test
  void counts_a_publish_without_outcome_within_the_timeout_as_failed() {
    Publisher silent = batch -> new CompletableFuture<>();
    messages.send("t", "a", "a1");

    try (Relay relay = relay(silent).publishTimeout(Duration.ofMillis(50)).build()) {
      relay.runOnce();
    }

    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outbox_message WHERE attempts = 1"
                    + " AND last_error LIKE '%no publish outcome within publishTimeout PT0.05S%'"))
        .isEqualTo(1);
  }

  @Test
  void publishes_a_message_whose_transaction_commits_after_a_later_id_was_published()
      throws Exception {
    RecordingPublisher publisher = new RecordingPublisher();
    try (Relay relay = relay(publisher).build();
        Connection slow = db.dataSource().getConnection()) {
      slow.setAutoCommit(false);
      UUID early =
          Outbox.builder().partitions(1).build().send(slow, Messages.message("t", "x", "early"));
      UUID late = messages.send("t", "y", "late");

      assertThat(relay.runOnce()).isEqualTo(1);
      slow.commit();
      assertThat(relay.runOnce()).isEqualTo(1);

      assertThat(publisher.messageIds()).containsExactly(late, early);
    }
  }

  @Test
  void passes_headers_such_as_the_trace_context_through_unchanged() {
    RecordingPublisher publisher = new RecordingPublisher();
    String traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    messages.sendAll(
        List.of(
            dev.outpost.outbox.OutboxMessage.to("t")
                .key("a")
                .payload("p")
                .header("traceparent", traceparent)
                .header("tracestate", "vendor=1")
                .build()));
    try (Relay relay = relay(publisher).build()) {
      relay.runOnce();
    }
    assertThat(publisher.messages().get(0).headers())
        .containsEntry("traceparent", traceparent)
        .containsEntry("tracestate", "vendor=1");
  }

  @Test
  void delivers_a_key_failing_three_times_in_order_without_delaying_other_keys() {
    RecordingPublisher publisher = new RecordingPublisher().failKey("a", 3);
    sendAB();
    try (Relay relay =
        relay(publisher)
            .clock(java.time.Clock.systemUTC())
            .backoffBase(Duration.ofMillis(20))
            .maxAttempts(10)
            .build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> publisher.count() == 5);
    }
    assertThat(payloads(publisher)).containsExactly("b1", "b2", "a1", "a2", "a3");
    assertThat(publisher.attempts()).isEqualTo(8);
  }
}
