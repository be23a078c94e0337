package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutboxRows.Row;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class JdbcOutboxTest {

  private TestDatabase db;
  private Outbox outbox;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    OutboxRows.resetOrders(db);
    outbox = Outbox.builder().schema(db.schema()).build();
  }

  @Test
  void commits_the_business_row_and_the_message_together() throws SQLException {
    UUID id;
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      OutboxRows.insertOrder(connection, 1);
      id = outbox.send(connection, OutboxMessage.to("orders").key("1").payload("x").build());
      assertThat(OutboxRows.count(db)).as("invisible before commit").isZero();
      connection.commit();
    }

    assertThat(OutboxRows.orders(db)).isEqualTo(1);
    assertThat(OutboxRows.all(db)).extracting(Row::messageId).containsExactly(id);
  }

  @Test
  void writes_neither_the_business_row_nor_the_message_when_the_transaction_fails()
      throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      try {
        OutboxRows.insertOrder(connection, 1);
        outbox.send(connection, OutboxMessage.to("orders").payload("x").build());
        outbox.sendAll(connection, List.of(OutboxMessage.to("orders").payload("y").build()));
        OutboxRows.insertOrder(connection, 1); // duplicate key: the business change fails
        connection.commit();
      } catch (SQLException e) {
        connection.rollback();
      } finally {
        connection.setAutoCommit(true);
      }
    }

    assertThat(OutboxRows.orders(db)).isZero();
    assertThat(OutboxRows.count(db)).isZero();
  }

  @Test
  void writes_a_batch_with_one_round_trip() throws SQLException {
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      messages.add(OutboxMessage.to("orders").key("k" + (i % 7)).payload("m" + i).build());
    }
    List<UUID> ids;
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      CountingConnection counting = new CountingConnection(connection);

      ids = outbox.sendAll(counting.connection(), messages);

      assertThat(counting.executions()).hasSize(1);
      assertThat(counting.executions().get(0)).startsWith("insert into");
      connection.commit();
    }

    assertThat(OutboxRows.all(db))
        .extracting(Row::messageId)
        .containsExactlyElementsOf(ids)
        .containsExactlyElementsOf(messages.stream().map(OutboxMessage::messageId).toList());
  }

  @Test
  void sends_a_single_message_with_one_round_trip() throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      CountingConnection counting = new CountingConnection(connection);

      outbox.send(counting.connection(), OutboxMessage.to("orders").payload("x").build());

      assertThat(counting.executions()).hasSize(1);
      connection.commit();
    }
    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }

  @Test
  void refuses_to_send_on_an_auto_commit_connection() throws SQLException {
    OutboxMessage message = OutboxMessage.to("orders").payload("x").build();
    try (Connection connection = db.dataSource().getConnection()) {
      assertThat(connection.getAutoCommit()).isTrue();

      assertThatThrownBy(() -> outbox.send(connection, message))
          .isInstanceOf(IllegalStateException.class)
          .hasMessage(
              "Outbox.send was called on a connection in auto-commit mode: the message would"
                  + " commit on its own, apart from the business change. Call it inside the"
                  + " transaction of the business change (setAutoCommit(false), or"
                  + " dsl.transaction(...)), or build the Outbox with requireTransaction(false)"
                  + " if that is really intended.");
      assertThatThrownBy(() -> outbox.sendAll(connection, List.of(message)))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("auto-commit mode");
    }
    assertThat(OutboxRows.count(db)).isZero();
  }

  @Test
  void sends_on_an_auto_commit_connection_when_configured_to() throws SQLException {
    Outbox relaxed = Outbox.builder().schema(db.schema()).requireTransaction(false).build();
    try (Connection connection = db.dataSource().getConnection()) {
      relaxed.send(connection, OutboxMessage.to("orders").payload("x").build());
    }
    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }

  @Test
  void rejects_null_arguments_with_a_clear_message() throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      assertThatThrownBy(
              () -> outbox.send((Connection) null, OutboxMessage.to("o").payload("x").build()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("the transaction (DSLContext, Configuration or Connection) must not be null");
      assertThatThrownBy(() -> outbox.send(connection, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("message must not be null");
      assertThatThrownBy(() -> outbox.sendAll(connection, null))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("messages must not be null");
      List<OutboxMessage> withNull = new ArrayList<>();
      withNull.add(OutboxMessage.to("o").payload("x").build());
      withNull.add(null);
      assertThatThrownBy(() -> outbox.sendAll(connection, withNull))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("messages[1] is null; sendAll needs a list of messages");
      connection.rollback();
    }
  }
}
