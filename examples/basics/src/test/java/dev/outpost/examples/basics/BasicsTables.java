package dev.outpost.examples.basics;

import dev.outpost.testing.TestDatabase;

/** The examples' business tables, created once per test JVM and emptied per test. */
final class BasicsTables {

  private BasicsTables() {}

  static void reset(TestDatabase db) {
    db.execute(
        "CREATE TABLE IF NOT EXISTS example_order (id uuid PRIMARY KEY, item text NOT NULL);"
            + " CREATE TABLE IF NOT EXISTS example_stock"
            + " (item text PRIMARY KEY, reserved int NOT NULL DEFAULT 0);"
            + " TRUNCATE example_order, example_stock;"
            + " INSERT INTO example_stock (item) VALUES ('apple'), ('kiwi')");
  }

  static long outboxRows(TestDatabase db, String topic) {
    return db.queryLong(
        "SELECT count(*) FROM " + db.schema() + ".outbox_message WHERE topic = '" + topic + "'");
  }
}
