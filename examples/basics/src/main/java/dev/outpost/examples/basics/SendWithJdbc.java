package dev.outpost.examples.basics;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Send a message in the same transaction as a business row, with plain JDBC: both commit, or
 * neither does. The relay publishes the message only after the commit.
 */
public final class SendWithJdbc {

  private final DataSource dataSource;
  private final Outbox outbox;

  /**
   * @param dataSource the application's database, migrated with {@code OutpostMigrations}
   * @param schema the schema of Outpost's tables (the example's {@code example_order} table is on
   *     the search path)
   */
  public SendWithJdbc(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.outbox = Outbox.builder().schema(schema).build();
  }

  /**
   * Inserts an order and its {@code order.created} message in one transaction.
   *
   * @param item what was ordered
   * @param failAfterSend simulates a failure after both writes: the transaction rolls back and
   *     takes the message with it
   * @return the order id
   */
  public UUID placeOrder(String item, boolean failAfterSend) throws SQLException {
    UUID orderId = UUID.randomUUID();
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false); // the outbox refuses auto-commit connections
      try {
        try (PreparedStatement insert =
            tx.prepareStatement("INSERT INTO example_order (id, item) VALUES (?, ?)")) {
          insert.setObject(1, orderId);
          insert.setString(2, item);
          insert.executeUpdate();
        }
        outbox.send(
            tx,
            OutboxMessage.to("order.created")
                .key(orderId.toString()) // same key = delivered in order
                .payload("{\"id\":\"" + orderId + "\",\"item\":\"" + item + "\"}")
                .build());
        if (failAfterSend) {
          throw new SQLException("payment service down");
        }
        tx.commit();
      } catch (SQLException | RuntimeException e) {
        tx.rollback();
        throw e;
      }
    }
    return orderId;
  }
}
