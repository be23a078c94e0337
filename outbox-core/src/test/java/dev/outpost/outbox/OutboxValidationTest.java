package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every limit of {@link OutboxConfig} is enforced by {@code send} and {@code sendAll} with an
 * {@link IllegalArgumentException} naming the field and the limit, and nothing is written.
 */
@ExtendWith(OutpostDatabaseExtension.class)
class OutboxValidationTest {

  private static final int MIB = 1024 * 1024;

  private TestDatabase db;
  private Outbox outbox;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    outbox = Outbox.builder().schema(db.schema()).build();
  }

  @Test
  void accepts_a_payload_of_exactly_the_default_limit_of_1_mib() throws SQLException {
    inTransaction(c -> outbox.send(c, OutboxMessage.to("files").payload(new byte[MIB]).build()));

    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }

  @Test
  void rejects_a_payload_larger_than_the_default_limit_of_1_mib() {
    OutboxMessage message = OutboxMessage.to("files").payload(new byte[MIB + 1]).build();

    assertRejected(
        c -> outbox.send(c, message),
        "payload of message "
            + message.messageId()
            + " to topic 'files' is 1048577 bytes; the limit (maxPayloadBytes) is 1048576 bytes."
            + " Store large data elsewhere and send a reference, or raise the limit.");
  }

  @Test
  void rejects_a_payload_larger_than_a_configured_limit() {
    Outbox small = Outbox.builder().schema(db.schema()).maxPayloadBytes(10).build();
    OutboxMessage fits = OutboxMessage.to("t").payload(new byte[10]).build();
    OutboxMessage tooLarge = OutboxMessage.to("t").payload(new byte[11]).build();

    assertRejected(
        c -> small.sendAll(c, List.of(fits, tooLarge)),
        "is 11 bytes; the limit (maxPayloadBytes) is 10 bytes");
  }

  @Test
  void rejects_a_key_longer_than_the_limit() {
    Outbox outbox = Outbox.builder().schema(db.schema()).maxKeyLength(8).build();
    OutboxMessage message = OutboxMessage.to("t").key("123456789").payload("x").build();

    assertRejected(
        c -> outbox.send(c, message),
        "key of message "
            + message.messageId()
            + " has 9 characters; the limit (maxKeyLength) is 8");
  }

  @Test
  void rejects_a_key_longer_than_the_default_limit_of_1024() {
    OutboxMessage message = OutboxMessage.to("t").key("k".repeat(1025)).payload("x").build();

    assertRejected(
        c -> outbox.send(c, message), "has 1025 characters; the limit (maxKeyLength) is 1024");
  }

  @Test
  void rejects_more_headers_than_the_limit() {
    OutboxMessage.Builder builder = OutboxMessage.to("t").payload("x");
    for (int i = 0; i < 65; i++) {
      builder.header("h" + i, "v");
    }
    OutboxMessage message = builder.build();

    assertRejected(
        c -> outbox.send(c, message),
        "message " + message.messageId() + " has 65 headers; the limit (maxHeaders) is 64");
  }

  @Test
  void accepts_exactly_the_configured_number_of_headers() throws SQLException {
    Outbox outbox = Outbox.builder().schema(db.schema()).maxHeaders(2).build();
    OutboxMessage two =
        OutboxMessage.to("t").payload("x").header("a", "1").header("b", "2").build();
    OutboxMessage three = two.toBuilder().messageId(MessageIds.next()).header("c", "3").build();

    assertRejected(c -> outbox.send(c, three), "has 3 headers; the limit (maxHeaders) is 2");
    inTransaction(c -> outbox.send(c, two));
    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }

  @Test
  void rejects_a_header_name_longer_than_the_limit() {
    OutboxMessage message = OutboxMessage.to("t").payload("x").header("n".repeat(257), "v").build();

    assertRejected(
        c -> outbox.send(c, message),
        "header name '"
            + "n".repeat(32)
            + "...' of message "
            + message.messageId()
            + " has 257 characters; the limit (maxHeaderNameLength) is 256");
  }

  @Test
  void rejects_a_header_name_longer_than_a_small_configured_limit() {
    Outbox outbox = Outbox.builder().schema(db.schema()).maxHeaderNameLength(4).build();
    OutboxMessage message = OutboxMessage.to("t").payload("x").header("tenant", "v").build();

    assertRejected(
        c -> outbox.send(c, message),
        "header name 'tenant' of message "
            + message.messageId()
            + " has 6 characters; the limit (maxHeaderNameLength) is 4");
  }

  @Test
  void rejects_a_header_value_longer_than_the_limit() {
    OutboxMessage message =
        OutboxMessage.to("t").payload("x").header("type", "v".repeat(8193)).build();

    assertRejected(
        c -> outbox.send(c, message),
        "header 'type' of message "
            + message.messageId()
            + " has a value of 8193 characters; the limit (maxHeaderValueLength) is 8192");
  }

  @Test
  void rejects_text_postgresql_cannot_store() {
    OutboxMessage badKey = OutboxMessage.to("t").key("a\0b").payload("x").build();
    OutboxMessage badHeader = OutboxMessage.to("t").payload("x").header("type", "a\0b").build();

    assertRejected(
        c -> outbox.send(c, badKey),
        "key of message "
            + badKey.messageId()
            + " contains a NUL character (U+0000), which PostgreSQL text cannot store");
    assertRejected(
        c -> outbox.send(c, badHeader),
        "header 'type' of message "
            + badHeader.messageId()
            + " contains a NUL character (U+0000), which PostgreSQL jsonb cannot store");
  }

  @Test
  void rejects_a_whole_batch_when_one_message_breaks_a_limit() {
    OutboxMessage fine = OutboxMessage.to("t").payload("x").build();
    OutboxMessage tooLarge = OutboxMessage.to("t").payload(new byte[MIB + 1]).build();

    assertRejected(c -> outbox.sendAll(c, List.of(fine, tooLarge)), "maxPayloadBytes");
  }

  /**
   * Sends in a transaction that would commit, and checks the error and that nothing was written.
   */
  private void assertRejected(SqlAction send, String message) {
    ThrowingCallable call = () -> inTransaction(send);
    assertThatThrownBy(call)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining(message);
    assertThat(OutboxRows.count(db)).isZero();
  }

  private void inTransaction(SqlAction action) throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        action.run(connection);
        connection.commit();
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    }
  }

  @FunctionalInterface
  interface SqlAction {
    void run(Connection connection) throws SQLException;
  }
}
