package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutboxRows.Row;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.exception.DetachedException;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class JooqOutboxTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T10:15:30Z"));
  private TestDatabase db;
  private DSLContext dsl;
  private Outbox outbox;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    OutboxRows.resetOrders(db);
    dsl = DSL.using(db.dataSource(), OutboxRows.jooqDialect(db));
    outbox = Outbox.builder().schema(db.schema()).clock(clock).build();
  }

  @Test
  void commits_the_business_row_and_the_message_together() {
    UUID id =
        dsl.transactionResult(
            tx -> {
              tx.dsl().execute("INSERT INTO test_order (id, status) VALUES (1, 'CREATED')");
              return outbox.send(
                  tx.dsl(), OutboxMessage.to("orders").key("1").payload("x").build());
            });

    assertThat(OutboxRows.orders(db)).isEqualTo(1);
    assertThat(OutboxRows.all(db)).extracting(Row::messageId).containsExactly(id);
  }

  @Test
  void writes_neither_the_business_row_nor_the_message_when_the_transaction_fails() {
    assertThatThrownBy(
            () ->
                dsl.transaction(
                    tx -> {
                      tx.dsl().execute("INSERT INTO test_order (id, status) VALUES (1, 'CREATED')");
                      outbox.send(tx.dsl(), OutboxMessage.to("orders").payload("x").build());
                      outbox.sendAll(
                          tx.dsl(), List.of(OutboxMessage.to("orders").payload("y").build()));
                      throw new IllegalStateException("business rule broken");
                    }))
        .hasMessageContaining("business rule broken");

    assertThat(OutboxRows.orders(db)).isZero();
    assertThat(OutboxRows.count(db)).isZero();
  }

  @Test
  void sends_in_the_transaction_of_a_jooq_configuration() {
    dsl.transaction(
        configuration -> {
          configuration.dsl().execute("INSERT INTO test_order VALUES (1, 'CREATED')");
          outbox.send(configuration, OutboxMessage.to("orders").payload("x").build());
          outbox.sendAll(configuration, List.of(OutboxMessage.to("orders").payload("y").build()));
        });

    assertThat(OutboxRows.orders(db)).isEqualTo(1);
    assertThat(OutboxRows.count(db)).isEqualTo(2);
  }

  @Test
  void stores_every_field_of_the_message() {
    OutboxMessage message =
        OutboxMessage.to("orders")
            .key("order-7")
            .payload("{\"id\":7}")
            .header("type", "OrderCreated")
            .header("quote\"d", "line\nbreak")
            .build();

    dsl.transaction(tx -> outbox.send(tx.dsl(), message));

    Row row = OutboxRows.all(db).get(0);
    assertThat(row.messageId()).isEqualTo(message.messageId());
    assertThat(row.topic()).isEqualTo("orders");
    assertThat(row.key()).isEqualTo("order-7");
    assertThat(row.partitionNo()).isEqualTo(Partitioner.partitionOfKey("order-7", 16));
    assertThat(new String(row.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"id\":7}");
    assertThat(HeadersJson.read(row.headersJson()))
        .containsOnly(Map.entry("type", "OrderCreated"), Map.entry("quote\"d", "line\nbreak"));
    assertThat(row.createdAt()).isEqualTo(clock.instant().atOffset(ZoneOffset.UTC));
    assertThat(row.availableAt()).isEqualTo(row.createdAt());
    assertThat(row.attempts()).isZero();
    assertThat(row.lastError()).isNull();
  }

  @Test
  void keeps_a_creation_time_given_on_the_message() {
    Instant createdAt = Instant.parse("2020-01-01T00:00:00.123456Z");

    dsl.transaction(
        tx ->
            outbox.send(
                tx.dsl(), OutboxMessage.to("orders").createdAt(createdAt).payload("x").build()));

    assertThat(OutboxRows.all(db).get(0).createdAt().toInstant()).isEqualTo(createdAt);
  }

  @Test
  void writes_a_batch_with_one_statement() throws SQLException {
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      messages.add(OutboxMessage.to("orders").key("k" + i).payload("m" + i).build());
    }

    List<UUID> ids =
        inCountedTransaction(
            (tx, executions) -> {
              List<UUID> sent = outbox.sendAll(tx, messages);
              assertThat(executions).hasSize(1);
              assertThat(executions.get(0)).startsWith("insert into");
              return sent;
            });

    assertThat(ids)
        .containsExactlyElementsOf(messages.stream().map(OutboxMessage::messageId).toList());
    List<Row> rows = OutboxRows.all(db);
    assertThat(rows).extracting(Row::messageId).containsExactlyElementsOf(ids);
    assertThat(rows).extracting(Row::key).first().isEqualTo("k0");
    assertThat(rows.get(99).partitionNo()).isEqualTo(Partitioner.partitionOfKey("k99", 16));
  }

  @Test
  void splits_very_large_batches_into_statements_within_postgres_bind_limit() throws SQLException {
    int size = 2 * 4000 + 1;
    List<OutboxMessage> messages = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      messages.add(OutboxMessage.to("orders").payload(new byte[] {(byte) i}).build());
    }

    inCountedTransaction(
        (tx, executions) -> {
          outbox.sendAll(tx, messages);
          assertThat(executions).hasSize(3);
          return null;
        });

    assertThat(OutboxRows.all(db))
        .extracting(Row::messageId)
        .containsExactlyElementsOf(messages.stream().map(OutboxMessage::messageId).toList());
  }

  @Test
  void writes_nothing_for_an_empty_batch() throws SQLException {
    inCountedTransaction(
        (tx, executions) -> {
          assertThat(outbox.sendAll(tx, List.of())).isEmpty();
          assertThat(executions).isEmpty();
          return null;
        });
  }

  @Test
  void sends_a_single_message_with_one_statement() throws SQLException {
    inCountedTransaction(
        (tx, executions) -> {
          outbox.send(tx, OutboxMessage.to("orders").payload("x").build());
          assertThat(executions).hasSize(1);
          return null;
        });
    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }

  @Test
  void refuses_to_send_outside_a_transaction() {
    OutboxMessage message = OutboxMessage.to("orders").payload("x").build();

    assertThatThrownBy(() -> outbox.send(dsl, message))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith(
            "Outbox.send was called on a connection in auto-commit mode: the message would commit"
                + " on its own, apart from the business change.");
    assertThatThrownBy(() -> outbox.sendAll(dsl, List.of(message)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("auto-commit mode");
    assertThat(OutboxRows.count(db)).isZero();
  }

  @Test
  void sends_outside_a_transaction_when_configured_to() {
    Outbox relaxed = Outbox.builder().schema(db.schema()).requireTransaction(false).build();

    relaxed.send(dsl, OutboxMessage.to("orders").payload("x").build());
    relaxed.sendAll(dsl, List.of(OutboxMessage.to("orders").payload("y").build()));

    assertThat(OutboxRows.count(db)).isEqualTo(2);
  }

  @Test
  void refuses_a_dsl_context_without_a_connection() {
    DSLContext detached = DSL.using(OutboxRows.jooqDialect(db));
    OutboxMessage message = OutboxMessage.to("orders").payload("x").build();

    assertThatThrownBy(() -> outbox.send(detached, message))
        .isInstanceOf(DetachedException.class)
        .hasMessageContaining("No JDBC Connection");
  }

  /**
   * Runs {@code work} with a DSLContext on a connection that records every statement execution, and
   * commits.
   */
  private <T> T inCountedTransaction(CountedWork<T> work) throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      CountingConnection counting = new CountingConnection(connection);
      try {
        T result =
            work.run(
                DSL.using(counting.connection(), OutboxRows.jooqDialect(db)),
                counting.executions());
        connection.commit();
        return result;
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    }
  }

  @FunctionalInterface
  interface CountedWork<T> {
    T run(DSLContext tx, List<String> executions);
  }
}
