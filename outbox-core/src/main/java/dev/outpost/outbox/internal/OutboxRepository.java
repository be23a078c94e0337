package dev.outpost.outbox.internal;

import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutboxMessageTable;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.Field;
import org.jooq.InsertValuesStepN;
import org.jooq.JSONB;
import org.jooq.Record;
import org.jooq.SQLDialect;
import org.jooq.conf.ParamType;
import org.jooq.conf.Settings;
import org.jooq.exception.DataAccessException;
import org.jooq.impl.DSL;

/** The writer's statements on {@code outbox_message}. Thread-safe. */
public final class OutboxRepository {

  /** Settings for statements the writer runs through jOOQ: no logging on the hot path. */
  public static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  /**
   * Most rows in one multi-row insert: 8 bind values per row stay well below PostgreSQL's limit of
   * 65535 bind values per statement (and pgjdbc's older 32767).
   */
  public static final int MAX_ROWS_PER_STATEMENT = 4000;

  private final String schema;
  private final OutboxMessageTable table;
  private final String insertSql;

  /** Statements for the tables of {@code schema}. */
  public OutboxRepository(OutpostSchema schema) {
    this.schema = schema.name();
    this.table = schema.outboxMessage;
    // Rendered once: a single send is a plain prepared statement, no per-call jOOQ rendering.
    this.insertSql =
        DSL.using(SQLDialect.POSTGRES, SETTINGS)
            .insertInto(table.table)
            .columns(columns())
            .values(
                DSL.val(null, table.messageId),
                DSL.val(null, table.topic),
                DSL.val(null, table.messageKey),
                DSL.val(null, table.partitionNo),
                DSL.val(null, table.payload),
                DSL.val(null, table.headers),
                DSL.val(null, table.createdAt),
                DSL.val(null, table.availableAt))
            .getSQL(ParamType.INDEXED);
  }

  /** Inserts one message on the caller's connection. */
  public void insert(Connection connection, PreparedMessage message) {
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      statement.setObject(1, message.messageId());
      statement.setString(2, message.topic());
      statement.setString(3, message.key());
      statement.setInt(4, message.partitionNo());
      statement.setBytes(5, message.payload());
      statement.setString(6, message.headersJson());
      statement.setObject(7, message.createdAt());
      statement.setObject(8, message.createdAt());
      statement.executeUpdate();
    } catch (SQLException e) {
      throw failure(List.of(message), e.getSQLState(), e.getMessage(), e);
    }
  }

  /**
   * Inserts all messages in list order with multi-row statements: one statement (one round trip)
   * for up to {@link #MAX_ROWS_PER_STATEMENT} messages.
   */
  public void insertAll(DSLContext tx, List<PreparedMessage> messages) {
    DSLContext postgres =
        tx.dialect().family() == SQLDialect.POSTGRES
            ? tx
            : tx.configuration().derive(SQLDialect.POSTGRES).dsl();
    for (int from = 0; from < messages.size(); from += MAX_ROWS_PER_STATEMENT) {
      int to = Math.min(messages.size(), from + MAX_ROWS_PER_STATEMENT);
      insertChunk(postgres, messages.subList(from, to));
    }
  }

  private void insertChunk(DSLContext tx, List<PreparedMessage> messages) {
    InsertValuesStepN<Record> insert = tx.insertInto(table.table).columns(columns());
    for (PreparedMessage message : messages) {
      insert =
          insert.values(
              message.messageId(),
              message.topic(),
              message.key(),
              message.partitionNo(),
              message.payload(),
              JSONB.valueOf(message.headersJson()),
              message.createdAt(),
              message.createdAt());
    }
    try {
      insert.execute();
    } catch (DataAccessException e) {
      SQLException cause = e.getCause(SQLException.class);
      throw failure(messages, e.sqlState(), cause == null ? e.getMessage() : cause.getMessage(), e);
    }
  }

  private Field<?>[] columns() {
    return new Field<?>[] {
      table.messageId,
      table.topic,
      table.messageKey,
      table.partitionNo,
      table.payload,
      table.headers,
      table.createdAt,
      table.availableAt
    };
  }

  private OutpostException failure(
      List<PreparedMessage> messages, String sqlState, String error, Exception cause) {
    PreparedMessage first = messages.get(0);
    String what =
        messages.size() == 1
            ? "message " + first.messageId() + " (topic '" + first.topic() + "')"
            : messages.size() + " messages (first " + first.messageId() + ")";
    return new OutpostException(
        "could not write "
            + what
            + " into "
            + table.table.getQualifiedName()
            + ": "
            + firstLine(error)
            + hint(sqlState),
        cause);
  }

  /** pgjdbc appends the position and detail on further lines; the first line says it all. */
  private static String firstLine(String error) {
    if (error == null) {
      return "(no message)";
    }
    int newline = error.indexOf('\n');
    return newline < 0 ? error : error.substring(0, newline);
  }

  private String hint(String sqlState) {
    if ("42P01".equals(sqlState) || "3F000".equals(sqlState)) {
      return ". The outbox table does not exist in schema '"
          + schema
          + "': run OutpostMigrations.builder().dataSource(dataSource).schema(\""
          + schema
          + "\").build().migrate() first, or configure the schema the tables are in.";
    }
    if ("23505".equals(sqlState)) {
      return ". A message with this message id is already in the outbox: message ids must be"
          + " unique; let Outpost generate them (UUIDv7) or pass unique ones.";
    }
    return "";
  }
}
