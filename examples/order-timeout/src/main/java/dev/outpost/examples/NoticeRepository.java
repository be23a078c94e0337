package dev.outpost.examples;

import dev.outpost.common.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.UUID;

/**
 * Every statement on the {@code order_notice} table (the inventory consumer's work), for PostgreSQL
 * and MySQL/MariaDB; the same text serves both. Each method runs in the caller's transaction.
 * Thread-safe.
 */
final class NoticeRepository {

  private static final String INSERT =
      """
      INSERT INTO order_notice (order_id, message_id, noticed_at)
      SELECT id, ?, ? FROM orders WHERE id = ?""";

  private static final String WRONG_NOTICES =
      """
      SELECT count(*) FROM orders o
      LEFT JOIN (SELECT order_id, count(*) AS n FROM order_notice GROUP BY order_id) n
        ON n.order_id = o.id
      WHERE coalesce(n.n, 0) <> 1""";

  private static final String NOT_NOTICED =
      """
      SELECT count(*) FROM orders o
      WHERE NOT EXISTS (SELECT 1 FROM order_notice n WHERE n.order_id = o.id)""";

  private final Dialect dialect;

  NoticeRepository(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Notes a new order; {@code false} when the order does not exist. */
  boolean insert(Connection tx, UUID orderId, UUID messageId, Instant now) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement(INSERT)) {
      SqlValues.setId(insert, 1, dialect, messageId);
      SqlValues.setTime(insert, 2, dialect, now);
      SqlValues.setId(insert, 3, dialect, orderId);
      return insert.executeUpdate() == 1;
    }
  }

  /** Orders noted zero or several times. */
  long wrongNotices(Connection tx) throws SQLException {
    return count(tx, WRONG_NOTICES);
  }

  /** Orders not noted yet. */
  long notNoticed(Connection tx) throws SQLException {
    return count(tx, NOT_NOTICED);
  }

  private static long count(Connection tx, String sql) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(sql);
        ResultSet rs = select.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }
}
