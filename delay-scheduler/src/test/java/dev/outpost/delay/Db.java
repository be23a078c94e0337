package dev.outpost.delay;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
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

  /** The outbox, in id order. */
  static List<OutboxRow> outbox(DataSource dataSource) {
    String sql =
        "SELECT id, message_id, topic, message_key, partition_no, payload, headers::text,"
            + " created_at, available_at FROM outbox_message ORDER BY id";
    try (Connection connection = dataSource.getConnection();
        PreparedStatement statement = connection.prepareStatement(sql);
        ResultSet rs = statement.executeQuery()) {
      List<OutboxRow> rows = new ArrayList<>();
      while (rs.next()) {
        rows.add(
            new OutboxRow(
                rs.getLong(1),
                rs.getObject(2, UUID.class),
                rs.getString(3),
                rs.getString(4),
                rs.getInt(5),
                new String(rs.getBytes(6), StandardCharsets.UTF_8),
                rs.getString(7),
                rs.getObject(8, OffsetDateTime.class).toInstant(),
                rs.getObject(9, OffsetDateTime.class).toInstant()));
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] utf8(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
