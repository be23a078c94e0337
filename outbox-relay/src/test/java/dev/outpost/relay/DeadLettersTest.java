package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutpostException;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class DeadLettersTest {

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");
  private TestDatabase db;
  private DeadLetters deadLetters;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.deadLetters = DeadLetters.create(db.dataSource(), "public");
  }

  private UUID deadLetter(long outboxId, String topic, String key, Instant failedAt) {
    UUID id = UUID.randomUUID();
    db.execute(
        "INSERT INTO outbox_dead_letter (outbox_id, message_id, topic, message_key, partition_no,"
            + " payload, headers, created_at, failed_at, attempts, last_error) VALUES ("
            + outboxId
            + ", "
            + Sql.uuid(db, id)
            + ", '"
            + topic
            + "', "
            + (key == null ? "NULL" : "'" + key + "'")
            + ", 3, 'payload-"
            + outboxId
            + "', '{\"traceparent\":\"00-x\"}', "
            + Sql.time(db, T0.minusSeconds(60))
            + ", "
            + Sql.time(db, failedAt)
            + ", 10, 'boom')");
    return id;
  }

  @Test
  void lists_pages_oldest_first_with_the_stored_fields() {
    for (int i = 1; i <= 5; i++) {
      deadLetter(100 + i, "orders", "k" + i, T0.plusSeconds(i));
    }

    List<DeadLetter> first = deadLetters.list(DeadLetterFilter.all(), 0, 2);
    List<DeadLetter> second = deadLetters.list(DeadLetterFilter.all(), first.get(1).id(), 2);
    List<DeadLetter> third = deadLetters.list(DeadLetterFilter.all(), second.get(1).id(), 2);

    assertThat(first).extracting(DeadLetter::key).containsExactly("k1", "k2");
    assertThat(second).extracting(DeadLetter::key).containsExactly("k3", "k4");
    assertThat(third).extracting(DeadLetter::key).containsExactly("k5");
    DeadLetter d = first.get(0);
    assertThat(d.outboxId()).isEqualTo(101);
    assertThat(d.topic()).isEqualTo("orders");
    assertThat(d.partitionNo()).isEqualTo(3);
    assertThat(new String(d.payload())).isEqualTo("payload-101");
    assertThat(d.headers()).containsEntry("traceparent", "00-x");
    assertThat(d.failedAt()).isEqualTo(T0.plusSeconds(1));
    assertThat(d.createdAt()).isEqualTo(T0.minusSeconds(60));
    assertThat(d.attempts()).isEqualTo(10);
    assertThat(d.lastError()).isEqualTo("boom");
  }

  @Test
  void filters_and_counts_by_topic_key_and_failure_time() {
    deadLetter(1, "orders", "a", T0);
    deadLetter(2, "orders", "b", T0.plusSeconds(10));
    deadLetter(3, "payments", "a", T0.plusSeconds(20));
    deadLetter(4, "payments", null, T0.plusSeconds(30));

    assertThat(deadLetters.count(DeadLetterFilter.all())).isEqualTo(4);
    assertThat(deadLetters.count(DeadLetterFilter.all().topic("orders"))).isEqualTo(2);
    assertThat(deadLetters.count(DeadLetterFilter.all().key("a"))).isEqualTo(2);
    assertThat(deadLetters.count(DeadLetterFilter.all().topic("payments").key("a"))).isEqualTo(1);
    DeadLetterFilter window =
        DeadLetterFilter.all().failedBetween(T0.plusSeconds(10), T0.plusSeconds(30));
    assertThat(deadLetters.list(window, 0, 100))
        .extracting(DeadLetter::outboxId)
        .containsExactly(2L, 3L);
    assertThat(deadLetters.count(DeadLetterFilter.all().failedBetween(T0.plusSeconds(25), null)))
        .isEqualTo(1);
  }

  @Test
  void replays_into_the_outbox_with_message_id_and_position_kept() {
    UUID a = deadLetter(7, "orders", "a", T0);
    UUID b = deadLetter(8, "payments", "b", T0);

    int replayed = deadLetters.replay(DeadLetterFilter.all().topic("orders"));

    assertThat(replayed).isEqualTo(1);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outbox_message WHERE id = 7 AND message_id = "
                    + Sql.uuid(db, a)
                    + " AND attempts = 0 AND partition_no = 3 AND last_error IS NULL AND "
                    + Sql.header(db, "traceparent")
                    + " = '00-x'"))
        .isEqualTo(1);
    assertThat(deadLetters.list(DeadLetterFilter.all(), 0, 10))
        .extracting(DeadLetter::messageId)
        .containsExactly(b);
  }

  @Test
  void leaves_a_dead_letter_whose_message_is_already_back_in_the_outbox() {
    UUID a = deadLetter(7, "orders", "a", T0);
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, partition_no, payload, headers, created_at,"
            + " available_at) VALUES ("
            + Sql.uuid(db, a)
            + ", 'orders', 3, 'x', '{}', now(), now())");

    assertThat(deadLetters.replay(List.of(a))).isZero();
    assertThat(deadLetters.count(DeadLetterFilter.all())).isEqualTo(1);
  }

  @Test
  void purges_by_filter_and_by_message_id() {
    UUID a = deadLetter(1, "orders", "a", T0);
    deadLetter(2, "orders", "b", T0);
    deadLetter(3, "payments", "c", T0);

    assertThat(deadLetters.purge(List.of(a))).isEqualTo(1);
    assertThat(deadLetters.purge(DeadLetterFilter.all().topic("orders"))).isEqualTo(1);
    assertThat(deadLetters.list(DeadLetterFilter.all(), 0, 10))
        .extracting(DeadLetter::key)
        .containsExactly("c");
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void rejects_bad_paging_and_explains_a_missing_table() {
    assertThatThrownBy(() -> deadLetters.list(DeadLetterFilter.all(), 0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit is 0; allowed 1..10000");
    assertThatThrownBy(() -> deadLetters.count(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("DeadLetterFilter.all()");
    DeadLetters missing = DeadLetters.create(db.dataSource(), "no_such_schema");
    assertThatThrownBy(() -> missing.count(DeadLetterFilter.all()))
        .isInstanceOf(OutpostException.class)
        .hasMessageContaining("run OutpostMigrations for schema 'no_such_schema'");
  }
}
