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
        "CREATE TABLE IF NOT EXISTS public."
            + NAME
            + " (id bigserial PRIMARY KEY, consumer text NOT NULL, message_id uuid NOT NULL,"
            + " note text)");
    db.execute("TRUNCATE public." + NAME);
  }

  static void insert(Connection tx, String consumer, UUID messageId, String note)
      throws SQLException {
    try (PreparedStatement statement =
        tx.prepareStatement(
            "INSERT INTO public." + NAME + " (consumer, message_id, note) VALUES (?, ?, ?)")) {
      statement.setString(1, consumer);
      statement.setObject(2, messageId);
      statement.setString(3, note);
      statement.executeUpdate();
    }
  }

  static long count(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM public." + NAME);
  }

  static long count(TestDatabase db, UUID messageId) {
    return db.queryLong(
        "SELECT count(*) FROM public." + NAME + " WHERE message_id = '" + messageId + "'");
  }

  static long keys(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM " + db.schema() + ".dedup_key");
  }
}
