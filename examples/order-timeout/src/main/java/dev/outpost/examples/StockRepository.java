package dev.outpost.examples;

import dev.outpost.common.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Every statement on the {@code stock} table and its audit table {@code stock_release}, for
 * PostgreSQL and MySQL/MariaDB. Each method runs in the caller's transaction. Thread-safe.
 */
final class StockRepository {

  private static final String SEED_POSTGRESQL =
      "INSERT INTO stock (item, initial, available) VALUES (?, ?, ?) ON CONFLICT (item) DO NOTHING";

  // A no-op update keeps an existing item as it is (INSERT IGNORE would also hide other errors).
  private static final String SEED_MYSQL =
      "INSERT INTO stock (item, initial, available) VALUES (?, ?, ?)"
          + " ON DUPLICATE KEY UPDATE item = item";

  private static final String TAKE =
      "UPDATE stock SET available = available - ? WHERE item = ? AND available >= ?";

  private static final String AVAILABLE = "SELECT available FROM stock WHERE item = ?";

  private static final String PUT_BACK =
      "UPDATE stock SET available = available + ? WHERE item = ?";

  private static final String AUDIT_RELEASE =
      """
      INSERT INTO stock_release (order_id, quantity, message_id, released_at)
      VALUES (?, ?, ?, ?)""";

  // CASE rather than PostgreSQL's FILTER clause, so one text serves both databases.
  private static final String LEVELS =
      """
      SELECT s.item, s.initial, s.available,
             coalesce(sum(CASE WHEN o.status = 'UNPAID' THEN o.quantity END), 0),
             coalesce(sum(CASE WHEN o.status = 'PAID' THEN o.quantity END), 0)
      FROM stock s LEFT JOIN orders o ON o.item = s.item
      GROUP BY s.item, s.initial, s.available ORDER BY s.item""";

  private static final String WRONG_RELEASES =
      """
      SELECT count(*) FROM orders o
      LEFT JOIN (SELECT order_id, count(*) AS n FROM stock_release GROUP BY order_id) r
        ON r.order_id = o.id
      WHERE coalesce(r.n, 0) <> CASE WHEN o.status = 'CANCELLED' THEN 1 ELSE 0 END""";

  private static final String STRAY_RELEASES =
      """
      SELECT count(*) FROM stock_release r
      WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = r.order_id)""";

  /** One item's stock: {@code initial = available + locked + sold} must hold. */
  record StockLevel(String item, long initial, long available, long locked, long sold) {
    boolean balanced() {
      return initial == available + locked + sold;
    }
  }

  private final Dialect dialect;

  StockRepository(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Puts {@code units} of each item on the shelf, unless the item is already stocked. */
  void seed(Connection tx, List<String> items, int units) throws SQLException {
    try (PreparedStatement insert =
        tx.prepareStatement(dialect == Dialect.MYSQL ? SEED_MYSQL : SEED_POSTGRESQL)) {
      for (String item : items) {
        insert.setString(1, item);
        insert.setInt(2, units);
        insert.setInt(3, units);
        insert.addBatch();
      }
      insert.executeBatch();
    }
  }

  /** Takes {@code quantity} units off the shelf; {@code false} when fewer are available. */
  boolean take(Connection tx, String item, int quantity) throws SQLException {
    try (PreparedStatement update = tx.prepareStatement(TAKE)) {
      update.setInt(1, quantity);
      update.setString(2, item);
      update.setInt(3, quantity);
      return update.executeUpdate() == 1;
    }
  }

  /** Units of {@code item} on the shelf (the item must exist). */
  int available(Connection tx, String item) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(AVAILABLE)) {
      select.setString(1, item);
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** Puts a cancelled order's units back and records the release in {@code stock_release}. */
  void release(Connection tx, String item, int quantity, UUID orderId, UUID messageId, Instant now)
      throws SQLException {
    try (PreparedStatement putBack = tx.prepareStatement(PUT_BACK);
        PreparedStatement audit = tx.prepareStatement(AUDIT_RELEASE)) {
      putBack.setInt(1, quantity);
      putBack.setString(2, item);
      putBack.executeUpdate();
      SqlValues.setId(audit, 1, dialect, orderId);
      audit.setInt(2, quantity);
      SqlValues.setId(audit, 3, dialect, messageId);
      SqlValues.setTime(audit, 4, dialect, now);
      audit.executeUpdate();
    }
  }

  /** Every item's stock with the units locked by unpaid and sold to paid orders. */
  List<StockLevel> levels(Connection tx) throws SQLException {
    List<StockLevel> levels = new ArrayList<>();
    try (PreparedStatement select = tx.prepareStatement(LEVELS);
        ResultSet rs = select.executeQuery()) {
      while (rs.next()) {
        levels.add(
            new StockLevel(
                rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
      }
    }
    return levels;
  }

  /**
   * Orders whose stock was released other than exactly once if cancelled and never otherwise, plus
   * releases of orders that do not exist.
   */
  long wrongReleases(Connection tx) throws SQLException {
    return count(tx, WRONG_RELEASES) + count(tx, STRAY_RELEASES);
  }

  private static long count(Connection tx, String sql) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(sql);
        ResultSet rs = select.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
