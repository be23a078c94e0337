package dev.outpost.examples;

import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Read-only views for {@code GET /stock}, {@code GET /outbox/status} and the simulation. */
final class Queries {

  /** One item's stock: {@code initial = available + locked + sold} must hold. */
  record StockLevel(String item, long initial, long available, long locked, long sold) {
    boolean balanced() {
      return initial == available + locked + sold;
    }
  }

  /**
   * What Outpost still has to do: messages waiting in the outbox, dead letters, delayed messages
   * not yet due.
   */
  record OutboxStatus(long backlog, long oldestAgeMillis, long deadLetters, long delayedPending) {}

  private final AppDatabase db;
  private final Relay relay;

  Queries(AppDatabase db, Relay relay) {
    this.db = db;
    this.relay = relay;
  }

  List<StockLevel> stock() {
    return db.inTransaction(
        tx -> {
          List<StockLevel> levels = new ArrayList<>();
          try (Statement st = tx.createStatement();
              ResultSet rs =
                  st.executeQuery(
                      """
                      SELECT s.item, s.initial, s.available,
                             coalesce(sum(o.quantity) FILTER (WHERE o.status = 'UNPAID'), 0),
                             coalesce(sum(o.quantity) FILTER (WHERE o.status = 'PAID'), 0)
                      FROM stock s LEFT JOIN orders o ON o.item = s.item
                      GROUP BY s.item ORDER BY s.item""")) {
            while (rs.next()) {
              levels.add(
                  new StockLevel(
                      rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
            }
          }
          return levels;
        });
  }

  /** From the relay's health view and dead-letter API; delayed messages counted directly. */
  OutboxStatus outboxStatus() {
    RelayHealth health = relay.health();
    return new OutboxStatus(
        health.backlog(),
        health.oldestPendingAge() == null ? 0 : health.oldestPendingAge().toMillis(),
        relay.deadLetters().count(DeadLetterFilter.all()),
        count("SELECT count(*) FROM delayed_message"));
  }

  /** Runs a query returning one number. */
  static long count(Connection tx, String sql) throws SQLException {
    try (Statement st = tx.createStatement();
        ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  long count(String sql) {
    return db.inTransaction(tx -> count(tx, sql));
  }
}
