package dev.outpost.rocketmq;

import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** The business table the consumer tests write their effect into: one row per run of the work. */
final class Effects {

  static final String TABLE = "public.rocketmq_test_effect";

  private Effects() {}

  static void create(TestDatabase db) {
    db.execute(
        "CREATE TABLE IF NOT EXISTS "
            + TABLE
            + " (id bigserial PRIMARY KEY, consumer text NOT NULL, message_id uuid NOT NULL,"
            + " note text)");
  }

  static void insert(Connection tx, String consumer, UUID messageId, String note)
      throws SQLException {
    try (PreparedStatement statement =
        tx.prepareStatement(
            "INSERT INTO " + TABLE + " (consumer, message_id, note) VALUES (?, ?, ?)")) {
      statement.setString(1, consumer);
      statement.setObject(2, messageId);
      statement.setString(3, note);
      statement.executeUpdate();
    }
  }

  static long count(TestDatabase db, String consumer) {
    return db.queryLong("SELECT count(*) FROM " + TABLE + " WHERE consumer = '" + consumer + "'");
  }

  static long maxPerMessage(TestDatabase db, String consumer) {
    return db.queryLong(
        "SELECT coalesce(max(n), 0) FROM (SELECT count(*) AS n FROM "
            + TABLE
            + " WHERE consumer = '"
            + consumer
            + "' GROUP BY message_id) counts");
  }
}
