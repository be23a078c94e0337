package dev.outpost.admin;

import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.relay.MessageRejectedException;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Stands in for the relay on MySQL/MariaDB, where the relay does not run in this branch yet: one
 * pass over {@code outbox_message} in id order, as the relay's claim reads a partition. A row whose
 * key has a dead letter is skipped when keys are parked; every other row goes to the handler and is
 * deleted when it takes it, or moved to {@code outbox_dead_letter} with the relay's error text when
 * it rejects it. Plain, portable SQL; single-threaded.
 */
final class RelayStandIn {

  /** Receives one message; throws {@link MessageRejectedException} to dead-letter it. */
  @FunctionalInterface
  interface Handler {
    void handle(String topic, String key, String payload) throws MessageRejectedException;
  }

  private record Row(long id, int partition, String topic, String key, String payload) {}

  private final TestDatabase db;
  private final Dialect dialect;

  RelayStandIn(TestDatabase db) {
    this.db = db;
    this.dialect = db.dialect();
  }

  /** One pass; returns how many rows were handed to the handler. */
  int runOnce(boolean parkKeys, Handler handler) {
    try (Connection c = db.dataSource().getConnection()) {
      int handled = 0;
      for (Row row : rows(c)) {
        if (parkKeys && row.key() != null && hasDeadLetter(c, row)) {
          continue;
        }
        handled++;
        try {
          handler.handle(row.topic(), row.key(), row.payload());
          delete(c, row.id());
        } catch (MessageRejectedException e) {
          deadLetter(
              c,
              row.id(),
              "rejected by the publisher: " + e.getClass().getName() + ": " + e.getMessage());
        }
      }
      return handled;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private List<Row> rows(Connection c) throws SQLException {
    List<Row> rows = new ArrayList<>();
    try (PreparedStatement s =
            c.prepareStatement(
                "SELECT id, partition_no, topic, message_key, payload FROM outbox_message"
                    + " ORDER BY id");
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        rows.add(
            new Row(
                rs.getLong(1),
                rs.getInt(2),
                rs.getString(3),
                rs.getString(4),
                new String(rs.getBytes(5), StandardCharsets.UTF_8)));
      }
    }
    return rows;
  }

  private static boolean hasDeadLetter(Connection c, Row row) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT count(*) FROM outbox_dead_letter WHERE partition_no = ? AND message_key = ?")) {
      s.setInt(1, row.partition());
      s.setString(2, row.key());
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        return rs.getLong(1) > 0;
      }
    }
  }

  private static void delete(Connection c, long id) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("DELETE FROM outbox_message WHERE id = ?")) {
      s.setLong(1, id);
      s.executeUpdate();
    }
  }

  private void deadLetter(Connection c, long id, String error) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "INSERT INTO outbox_dead_letter (outbox_id, message_id, topic, message_key,"
                + " partition_no, payload, headers, created_at, failed_at, attempts, last_error)"
                + " SELECT id, message_id, topic, message_key, partition_no, payload, headers,"
                + " created_at, ?, 1, ? FROM outbox_message WHERE id = ?")) {
      JdbcValues.setTime(s, 1, dialect, Instant.now());
      s.setString(2, error);
      s.setLong(3, id);
      s.executeUpdate();
    }
    delete(c, id);
  }
}
