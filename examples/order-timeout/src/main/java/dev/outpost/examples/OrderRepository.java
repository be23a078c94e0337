package dev.outpost.examples;

import dev.outpost.common.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Every statement on the {@code orders} table, for PostgreSQL and MySQL/MariaDB. Each method runs
 * in the caller's transaction. Thread-safe.
 */
final class OrderRepository {

  /** Item and quantity of an order whose stock goes back to the shelf. */
  record Release(String item, int quantity) {}

  // Selecting the item from stock makes an unknown item insert nothing (404), on both databases.
  private static final String INSERT =
      """
      INSERT INTO orders (id, item, quantity, status, created_at, pay_by)
      SELECT ?, item, ?, 'UNPAID', ?, ? FROM stock WHERE item = ?""";

  private static final String MARK_PAID =
      "UPDATE orders SET status = 'PAID', paid_at = ? WHERE id = ? AND status = 'UNPAID'";

  private static final String CANCEL_IF_UNPAID_POSTGRESQL =
      """
      UPDATE orders SET status = 'CANCELLED', cancelled_at = ?
      WHERE id = ? AND status = 'UNPAID'
      RETURNING item, quantity""";

  // MySQL has no UPDATE ... RETURNING (MariaDB neither): the update locks the row, then the same
  // transaction reads its item and quantity.
  private static final String CANCEL_IF_UNPAID_MYSQL =
      "UPDATE orders SET status = 'CANCELLED', cancelled_at = ? WHERE id = ? AND status = 'UNPAID'";

  private static final String ITEM_AND_QUANTITY = "SELECT item, quantity FROM orders WHERE id = ?";

  private static final String FIND =
      """
      SELECT id, item, quantity, status, created_at, pay_by, paid_at, cancelled_at
      FROM orders WHERE id = ?""";

  private static final String COUNT = "SELECT count(*) FROM orders";

  private static final String COUNT_BY_STATUS = "SELECT count(*) FROM orders WHERE status = ?";

  private final Dialect dialect;

  OrderRepository(Dialect dialect) {
    this.dialect = dialect;
  }

  /** Inserts {@code order} as unpaid; {@code false} when its item is not in stock's table. */
  boolean insert(Connection tx, Order order) throws SQLException {
    try (PreparedStatement insert = tx.prepareStatement(INSERT)) {
      SqlValues.setId(insert, 1, dialect, order.id());
      insert.setInt(2, order.quantity());
      SqlValues.setTime(insert, 3, dialect, order.createdAt());
      SqlValues.setTime(insert, 4, dialect, order.payBy());
      insert.setString(5, order.item());
      return insert.executeUpdate() == 1;
    }
  }

  /** Flips an unpaid order to paid; {@code false} when it was not unpaid (or does not exist). */
  boolean markPaid(Connection tx, UUID orderId, Instant now) throws SQLException {
    try (PreparedStatement update = tx.prepareStatement(MARK_PAID)) {
      SqlValues.setTime(update, 1, dialect, now);
      SqlValues.setId(update, 2, dialect, orderId);
      return update.executeUpdate() == 1;
    }
  }

  /**
   * Flips an unpaid order to cancelled and returns what to put back on the shelf; empty when the
   * order was not unpaid (paid first, cancelled already, or unknown).
   */
  Optional<Release> cancelIfUnpaid(Connection tx, UUID orderId, Instant now) throws SQLException {
    if (dialect == Dialect.POSTGRESQL) {
      try (PreparedStatement cancel = tx.prepareStatement(CANCEL_IF_UNPAID_POSTGRESQL)) {
        SqlValues.setTime(cancel, 1, dialect, now);
        SqlValues.setId(cancel, 2, dialect, orderId);
        try (ResultSet rs = cancel.executeQuery()) {
          return rs.next()
              ? Optional.of(new Release(rs.getString(1), rs.getInt(2)))
              : Optional.empty();
        }
      }
    }
    try (PreparedStatement cancel = tx.prepareStatement(CANCEL_IF_UNPAID_MYSQL)) {
      SqlValues.setTime(cancel, 1, dialect, now);
      SqlValues.setId(cancel, 2, dialect, orderId);
      if (cancel.executeUpdate() == 0) {
        return Optional.empty();
      }
    }
    try (PreparedStatement select = tx.prepareStatement(ITEM_AND_QUANTITY)) {
      SqlValues.setId(select, 1, dialect, orderId);
      try (ResultSet rs = select.executeQuery()) {
        rs.next(); // this transaction just updated the row and holds its lock
        return Optional.of(new Release(rs.getString(1), rs.getInt(2)));
      }
    }
  }

  /** The order, or empty. */
  Optional<Order> find(Connection tx, UUID orderId) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(FIND)) {
      SqlValues.setId(select, 1, dialect, orderId);
      try (ResultSet rs = select.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Order(
                SqlValues.getId(rs, 1, dialect),
                rs.getString(2),
                rs.getInt(3),
                Order.Status.valueOf(rs.getString(4)),
                SqlValues.getTime(rs, 5, dialect),
                SqlValues.getTime(rs, 6, dialect),
                SqlValues.getTime(rs, 7, dialect),
                SqlValues.getTime(rs, 8, dialect)));
      }
    }
  }

  /** Orders in the table, all of them. */
  long count(Connection tx) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(COUNT);
        ResultSet rs = select.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Orders in {@code status}. */
  long count(Connection tx, Order.Status status) throws SQLException {
    try (PreparedStatement select = tx.prepareStatement(COUNT_BY_STATUS)) {
      select.setString(1, status.name());
      try (ResultSet rs = select.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }
}
