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
import org.jooq.impl.DSL;

/** The writer's statements on {@code outbox_message}. Thread-safe. */
public final class OutboxRepository {

  /** Settings for statements the writer runs through jOOQ: no logging on the hot path. */
  public static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  private final OutboxMessageTable table;
  private final String insertSql;

  /** Statements for the tables of {@code schema}. */
  public OutboxRepository(OutpostSchema schema) {
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
      throw failure(message, e);
    }
  }

  /** Inserts all messages with one multi-row statement, in list order. */
  public void insertAll(DSLContext tx, List<PreparedMessage> messages) {
    if (messages.isEmpty()) {
      return;
    }
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
    } catch (org.jooq.exception.DataAccessException e) {
      throw failure(messages.get(0), e.getCause() instanceof SQLException s ? s : new SQLException(e));
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

  private OutpostException failure(PreparedMessage message, SQLException e) {
    String hint =
        "42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())
            ? " The outbox table does not exist: run OutpostMigrations.migrate(dataSource) for"
                + " this schema first."
            : "";
    return new OutpostException(
        "could not write message "
            + message.messageId()
            + " (topic '"
            + message.topic()
            + "') into "
            + table.table.getQualifiedName()
            + ": "
            + e.getMessage()
            + '.'
            + hint,
        e);
  }
}
