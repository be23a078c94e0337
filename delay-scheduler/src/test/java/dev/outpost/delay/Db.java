package dev.outpost.delay;

import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/** Transactions and outbox/delayed-table reads for the tests. */
final class Db {

  private Db() {}

  interface TxWork<T> {
    T run(Connection connection) throws Exception;
  }

  /** Runs {@code work} in one committed transaction. */
  static <T> T inTx(DataSource dataSource, TxWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        T result = work.run(connection);
        connection.commit();
        return result;
      } catch (Exception | Error e) {
        connection.rollback();
        throw e;
      } finally {
        connection.setAutoCommit(true);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** {@link #inTx} for a boolean result (keeps AssertJ's overloads unambiguous). */
  static boolean inTxBoolean(DataSource dataSource, TxWork<Boolean> work) {
    return inTx(dataSource, work);
  }

  /** Runs {@code work} in a transaction that is rolled back. */
  static <T> T inRolledBackTx(DataSource dataSource, TxWork<T> work) {
    try (Connection connection = dataSource.getConnection()) {
      connection.setAutoCommit(false);
      try {
        return work.run(connection);
      } finally {
        connection.rollback();
        connection.setAutoCommit(true);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** An outbox row. */
  record OutboxRow(
      long id,
      UUID messageId,
      String topic,
      String key,
      int partitionNo,
      String payload,
      String headers,
      Instant createdAt,
      Instant availableAt) {}

  /** The outbox, in id order (PostgreSQL or MariaDB/MySQL). */
  static List<OutboxRow> outbox(DataSource dataSource) {
    try (Connection connection = dataSource.getConnection()) {
      Dialect dialect = Dialect.detect(connection);
      String sql =
          "SELECT id, message_id, topic, message_key, partition_no, payload, "
              + (dialect == Dialect.POSTGRESQL ? "headers::text" : "headers")
              + ", created_at, available_at FROM outbox_message ORDER BY id";
      try (PreparedStatement statement = connection.prepareStatement(sql);
          ResultSet rs = statement.executeQuery()) {
        List<OutboxRow> rows = new ArrayList<>();
        while (rs.next()) {
          rows.add(
              new OutboxRow(
                  rs.getLong(1),
                  JdbcValues.getUuid(rs, 2, dialect),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getInt(5),
                  new String(rs.getBytes(6), StandardCharsets.UTF_8),
                  rs.getString(7),
                  JdbcValues.getTime(rs, 8, dialect).toInstant(),
                  JdbcValues.getTime(rs, 9, dialect).toInstant()));
        }
        return rows;
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** jOOQ on the caller's connection, in the database's dialect. */
  static org.jooq.DSLContext dsl(Connection connection) throws SQLException {
    return org.jooq.impl.DSL.using(
        connection,
        Dialect.detect(connection) == Dialect.POSTGRESQL
            ? org.jooq.SQLDialect.POSTGRES
            : org.jooq.SQLDialect.MARIADB);
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
