package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutboxRows.Row;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class SchemaTest {

  private static final String OTHER = "outpost_other";

  private TestDatabase db;
  private DSLContext dsl;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    dsl = DSL.using(db.dataSource(), OutboxRows.jooqDialect(db));
  }

  @Test
  @PostgresOnly // creates another schema; on the shared MariaDB server that is a shared database
  void sends_into_the_configured_schema() {
    db.migrateSchema(OTHER);
    db.execute("TRUNCATE " + OTHER + ".outbox_message");
    Outbox outbox = Outbox.builder().schema(OTHER).build();

    UUID single =
        dsl.transactionResult(
            tx -> outbox.send(tx.dsl(), OutboxMessage.to("orders").payload("x").build()));
    List<UUID> batch =
        dsl.transactionResult(
            tx ->
                outbox.sendAll(tx.dsl(), List.of(OutboxMessage.to("orders").payload("y").build())));

    assertThat(OutboxRows.all(db, OTHER))
        .extracting(Row::messageId)
        .containsExactly(single, batch.get(0));
    assertThat(OutboxRows.count(db)).isZero();
    db.execute("TRUNCATE " + OTHER + ".outbox_message");
  }

  @Test
  void says_how_to_create_the_tables_when_they_are_missing() throws SQLException {
    Outbox outbox = Outbox.builder().schema("no_such_schema").build();
    OutboxMessage message = OutboxMessage.to("orders").payload("x").build();
    String hint =
        ". The outbox table does not exist in schema 'no_such_schema': run"
            + " OutpostMigrations.builder().dataSource(dataSource).schema(\"no_such_schema\")"
            + ".build().migrate() first, or configure the schema the tables are in.";

    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      assertThatThrownBy(() -> outbox.send(connection, message))
          .isInstanceOf(OutpostException.class)
          .hasMessageStartingWith(
              "could not write message "
                  + message.messageId()
                  + " (topic 'orders') into "
                  + db.dialect().qualify("no_such_schema", "outbox_message")
                  + ": ")
          .hasMessageEndingWith(hint)
          .hasCauseInstanceOf(SQLException.class);
      connection.rollback();
      assertThatThrownBy(
              () ->
                  outbox.sendAll(
                      connection,
                      List.of(message, message.toBuilder().messageId(UUID.randomUUID()).build())))
          .isInstanceOf(OutpostException.class)
          .hasMessageStartingWith("could not write 2 messages (first " + message.messageId() + ")")
          .hasMessageEndingWith(hint);
      connection.rollback();
      connection.setAutoCommit(true);
    }
    assertThatThrownBy(() -> dsl.transaction(tx -> outbox.send(tx.dsl(), message)))
        .isInstanceOf(OutpostException.class)
        .hasMessageEndingWith(hint);
    assertThatThrownBy(() -> dsl.transaction(tx -> outbox.sendAll(tx.dsl(), List.of(message))))
        .isInstanceOf(OutpostException.class)
        .hasMessageEndingWith(hint);
  }

  @Test
  void says_a_message_id_is_already_in_the_outbox() {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    OutboxMessage message = OutboxMessage.to("orders").payload("x").build();
    dsl.transaction(tx -> outbox.send(tx.dsl(), message));

    assertThatThrownBy(() -> dsl.transaction(tx -> outbox.send(tx.dsl(), message)))
        .isInstanceOf(OutpostException.class)
        .hasMessageContaining("could not write message " + message.messageId())
        .hasMessageEndingWith(
            ". A message with this message id is already in the outbox: message ids must be"
                + " unique; let Outpost generate them (UUIDv7) or pass unique ones.");
    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }
}
