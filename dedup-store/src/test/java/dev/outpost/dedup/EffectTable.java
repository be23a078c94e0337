package dev.outpost.dedup;

import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;

/** The business table tests write their "effect" into: one row per time the work ran. */
final class EffectTable {

  static final String NAME = "dedup_test_effect";

  private EffectTable() {}

  static void create(TestDatabase db) {
    db.execute(
        "CREATE TABLE IF NOT EXISTS "
            + NAME
            + (db.isPostgres() ? " (id bigserial" : " (id bigint AUTO_INCREMENT")
            + " PRIMARY KEY, consumer varchar(255) NOT NULL, message_id varchar(36) NOT NULL,"
            + " note varchar(255))");
    db.execute("TRUNCATE TABLE " + NAME);
  }

  static void insert(Connection tx, String consumer, UUID messageId, String note)
      throws SQLException {
    try (PreparedStatement statement =
        tx.prepareStatement(
            "INSERT INTO " + NAME + " (consumer, message_id, note) VALUES (?, ?, ?)")) {
      statement.setString(1, consumer);
      statement.setString(2, messageId.toString());
      statement.setString(3, note);
      statement.executeUpdate();
    }
  }

  static void insert(Connection tx, String consumer, String messageId, String note)
      throws SQLException {
    insert(tx, consumer, UUID.fromString(messageId), note);
  }

  static long count(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM " + NAME);
  }

  static long count(TestDatabase db, UUID messageId) {
    return db.queryLong("SELECT count(*) FROM " + NAME + " WHERE message_id = '" + messageId + "'");
  }

  static long keys(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM " + db.schema() + ".dedup_key");
  }
}
