package dev.outpost.outbox.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import org.jooq.DSLContext;
import org.jooq.conf.Settings;

/**
 * The writer's inserts into {@code outbox_message} (statements from {@link OutboxMessageSql}).
 * Thread-safe.
 *
 * <p>The insert is rendered once, at construction; sends bind values on a plain JDBC prepared
 * statement, so the hot path does no per-call SQL rendering (pgjdbc then reuses the server-side
 * prepared statement for the same text).
 */
public final class OutboxRepository {

  static {
    QuietJooq.apply(); // before the first statement is rendered
  }

  /** Settings for statements the writer runs through jOOQ: no logging on the hot path. */
  public static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  /**
   * Most rows in one multi-row insert: 8 bind values per row stay well below PostgreSQL's limit of
   * 65535 bind values per statement (and pgjdbc's older 32767).
   */
  public static final int MAX_ROWS_PER_STATEMENT = 4000;

  private static final int COLUMNS = 8;

  private final String schema;
  private final Dialect dialect;
  private final String table;
  private final String insertPrefix;
  private final String rowSql;
  private final String insertSql;

  /** Statements for the tables of {@code schema}. */
  public OutboxRepository(OutpostSchema schema) {
    this.schema = schema.name();
    this.dialect = schema.dialect();
    this.table = schema.table(OutpostTableNames.OUTBOX_MESSAGE);
    OutboxMessageSql sql = OutboxMessageSql.of(schema);
    this.insertPrefix = sql.insertPrefix();
    this.rowSql = sql.insertRow();
    this.insertSql = insertPrefix + rowSql;
  }

  /** Inserts one message on the caller's connection. */
  public void insert(Connection connection, PreparedMessage message) {
    checkLimits(message);
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      bind(statement, 0, message);
      statement.executeUpdate();
    } catch (SQLException e) {
      throw failure(List.of(message), e);
    }
  }

  /**
   * Inserts all messages in list order with multi-row statements on the caller's connection: one
   * statement (one round trip) for up to {@link #MAX_ROWS_PER_STATEMENT} messages.
   */
  public void insertAll(Connection connection, List<PreparedMessage> messages) {
    for (PreparedMessage message : messages) {
      checkLimits(message);
    }
    for (int from = 0; from < messages.size(); from += MAX_ROWS_PER_STATEMENT) {
      int to = Math.min(messages.size(), from + MAX_ROWS_PER_STATEMENT);
      insertChunk(connection, messages.subList(from, to));
    }
  }

  /** Like {@link #insertAll(Connection, List)}, on the connection of {@code tx}. */
  public void insertAll(DSLContext tx, List<PreparedMessage> messages) {
    tx.connection(connection -> insertAll(connection, messages));
  }

  private void insertChunk(Connection connection, List<PreparedMessage> messages) {
    if (messages.size() == 1) {
      insert(connection, messages.get(0));
      return;
    }
    StringBuilder sql =
        new StringBuilder(insertPrefix.length() + messages.size() * (rowSql.length() + 2));
    sql.append(insertPrefix).append(rowSql);
    for (int i = 1; i < messages.size(); i++) {
      sql.append(", ").append(rowSql);
    }
    try (PreparedStatement statement = connection.prepareStatement(sql.toString())) {
      for (int i = 0; i < messages.size(); i++) {
        bind(statement, i * COLUMNS, messages.get(i));
      }
      statement.executeUpdate();
    } catch (SQLException e) {
      throw failure(messages, e);
    }
  }

  /** The dialect the statements are written for. */
  public Dialect dialect() {
    return dialect;
  }

  /**
   * Longest topic and key on MySQL/MariaDB: the columns are {@code VARCHAR(255)} so that their
   * indexes fit InnoDB's key size limit. Checked before anything is written.
   */
  public static final int MYSQL_MAX_TEXT_KEY_LENGTH = 255;

  private void checkLimits(PreparedMessage message) {
    if (dialect != Dialect.MYSQL) {
      return;
    }
    if (message.topic().length() > MYSQL_MAX_TEXT_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "topic is "
              + message.topic().length()
              + " characters; allowed 1.."
              + MYSQL_MAX_TEXT_KEY_LENGTH
              + " on MySQL/MariaDB (VARCHAR(255) column)");
    }
    if (message.key() != null && message.key().length() > MYSQL_MAX_TEXT_KEY_LENGTH) {
      throw new IllegalArgumentException(
          "key is "
              + message.key().length()
              + " characters; allowed 1.."
              + MYSQL_MAX_TEXT_KEY_LENGTH
              + " on MySQL/MariaDB (VARCHAR(255) column)");
    }
  }

  private void bind(PreparedStatement statement, int offset, PreparedMessage message)
      throws SQLException {
    JdbcValues.setUuid(statement, offset + 1, dialect, message.messageId());
    statement.setString(offset + 2, message.topic());
    statement.setString(offset + 3, message.key());
    statement.setInt(offset + 4, message.partitionNo());
    statement.setBytes(offset + 5, message.payload());
    statement.setString(offset + 6, message.headersJson());
    JdbcValues.setTime(statement, offset + 7, dialect, message.createdAt());
    JdbcValues.setTime(statement, offset + 8, dialect, message.createdAt());
  }

  private OutpostException failure(List<PreparedMessage> messages, SQLException e) {
    PreparedMessage first = messages.get(0);
    String what =
        messages.size() == 1
            ? "message " + first.messageId() + " (topic '" + first.topic() + "')"
            : messages.size() + " messages (first " + first.messageId() + ")";
    return new OutpostException(
        "could not write " + what + " into " + table + ": " + firstLine(e.getMessage()) + hint(e),
        e);
  }

  /** pgjdbc appends the position and detail on further lines; the first line says it all. */
  private static String firstLine(String error) {
    if (error == null) {
      return "(no message)";
    }
    int newline = error.indexOf('\n');
    return newline < 0 ? error : error.substring(0, newline);
  }

  private String hint(SQLException e) {
    if (dialect.isMissingTable(e)) {
      return ". The outbox table does not exist in schema '"
          + schema
          + "': run OutpostMigrations.builder().dataSource(dataSource).schema(\""
          + schema
          + "\").build().migrate() first, or configure the schema the tables are in.";
    }
    if (dialect.isUniqueViolation(e)) {
      return ". A message with this message id is already in the outbox: message ids must be"
          + " unique; let Outpost generate them (UUIDv7) or pass unique ones.";
    }
    return "";
  }
}
