package dev.outpost.outbox;

import dev.outpost.common.internal.JdbcValues;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Reads outbox rows back for assertions, and owns the tests' business table. */
final class OutboxRows {

  /** One row of {@code outbox_message}. */
  record Row(
      long id,
      UUID messageId,
      String topic,
      String key,
      int partitionNo,
      byte[] payload,
      String headersJson,
      OffsetDateTime createdAt,
      OffsetDateTime availableAt,
      int attempts,
      String lastError) {}

  private OutboxRows() {}

  /** jOOQ's dialect for the test database. */
  static org.jooq.SQLDialect jooqDialect(TestDatabase db) {
    return db.isPostgres() ? org.jooq.SQLDialect.POSTGRES : org.jooq.SQLDialect.MYSQL;
  }

  /** Message ids ordered by the database's own order of the message id column. */
  static List<UUID> messageIdsInColumnOrder(TestDatabase db) {
    String sql =
        "SELECT message_id FROM " + db.qualified("outbox_message") + " ORDER BY message_id";
    try (Connection connection = db.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rs = statement.executeQuery()) {
      List<UUID> ids = new ArrayList<>();
      while (rs.next()) {
        ids.add(JdbcValues.getUuid(rs, 1, db.dialect()));
      }
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates (once) and empties the business table {@code test_order(id, status)}. */
  static void resetOrders(TestDatabase db) {
    db.execute(
        "CREATE TABLE IF NOT EXISTS test_order (id bigint PRIMARY KEY, status varchar(64) NOT"
            + " NULL)");
    db.execute("TRUNCATE TABLE test_order");
  }

  static long orders(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM test_order");
  }

  static void insertOrder(Connection connection, long id) throws SQLException {
    try (PreparedStatement insert =
        connection.prepareStatement("INSERT INTO test_order (id, status) VALUES (?, ?)")) {
      insert.setLong(1, id);
      insert.setString(2, "CREATED");
      insert.executeUpdate();
    }
  }

  static long count(TestDatabase db) {
    return count(db, db.schema());
  }

  static long count(TestDatabase db, String schema) {
    return db.queryLong("SELECT count(*) FROM " + db.dialect().qualify(schema, "outbox_message"));
  }

  /** All rows of the default schema's outbox in {@code id} order. */
  static List<Row> all(TestDatabase db) {
    return all(db, db.schema());
  }

  static List<Row> all(TestDatabase db, String schema) {
    String sql =
        "SELECT id, message_id, topic, message_key, partition_no, payload, "
            + (db.isPostgres() ? "headers::text" : "headers")
            + ", created_at, available_at, attempts, last_error FROM "
            + db.dialect().qualify(schema, "outbox_message")
            + " ORDER BY id";
    try (Connection connection = db.dataSource().getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rs = statement.executeQuery()) {
      List<Row> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(
            new Row(
                rs.getLong(1),
                JdbcValues.getUuid(rs, 2, db.dialect()),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5),
                rs.getBytes(6),
                rs.getString(7),
                JdbcValues.getTime(rs, 8, db.dialect()),
                JdbcValues.getTime(rs, 9, db.dialect()),
                rs.getInt(10),
                rs.getString(11)));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
