package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.TestDatabase;

/** Checks a finished run straight from the tables, independently of the app's own report. */
final class OrderLedger {

  private final TestDatabase db;
  private final String schema;

  OrderLedger(TestDatabase db, String schema) {
    this.db = db;
    this.schema = schema;
  }

  /**
   * Starts from an empty schema (the database may outlive test runs); on MySQL/MariaDB the schema
   * is a database of its own.
   */
  void reset() {
    db.execute(
        db.isPostgres()
            ? "DROP SCHEMA IF EXISTS " + schema + " CASCADE"
            : "DROP DATABASE IF EXISTS " + schema);
  }

  long count(String sqlWithSchemaPlaceholder) {
    return db.queryLong(sqlWithSchemaPlaceholder.replace("$s", schema));
  }

  long orders() {
    return count("SELECT count(*) FROM $s.orders");
  }

  void assertSettledAndBalanced() {
    assertThat(count("SELECT count(*) FROM $s.orders WHERE status = 'UNPAID'"))
        .as("unpaid orders")
        .isZero();
    assertThat(count("SELECT count(*) FROM $s.orders WHERE status = 'PAID'"))
        .as("paid orders")
        .isPositive();
    assertThat(count("SELECT count(*) FROM $s.orders WHERE status = 'CANCELLED'"))
        .as("cancelled orders")
        .isPositive();
    assertThat(
            count(
                """
                SELECT count(*) FROM $s.stock s
                WHERE s.initial <> s.available
                  + (SELECT coalesce(sum(quantity), 0) FROM $s.orders o
                     WHERE o.item = s.item AND o.status IN ('UNPAID', 'PAID'))"""))
        .as("items whose initial stock <> available + locked + sold")
        .isZero();
    assertThat(
            count(
                """
                SELECT count(*) FROM $s.orders o
                WHERE (SELECT count(*) FROM $s.stock_release r WHERE r.order_id = o.id)
                   <> CASE WHEN o.status = 'CANCELLED' THEN 1 ELSE 0 END"""))
        .as("orders whose stock was released other than once-if-cancelled")
        .isZero();
    assertThat(
            count(
                """
                SELECT count(*) FROM $s.orders o
                WHERE (SELECT count(*) FROM $s.order_notice n WHERE n.order_id = o.id) <> 1"""))
        .as("orders not noticed exactly once by the inventory consumer")
        .isZero();
    assertThat(count("SELECT count(*) FROM $s.outbox_message")).as("outbox backlog").isZero();
    assertThat(count("SELECT count(*) FROM $s.delayed_message")).as("delayed pending").isZero();
    assertThat(count("SELECT count(*) FROM $s.outbox_dead_letter")).as("dead letters").isZero();
  }
}
