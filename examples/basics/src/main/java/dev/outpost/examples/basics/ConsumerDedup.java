package dev.outpost.examples.basics;

import dev.outpost.dedup.Dedup;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * A consumer that applies each message once in effect, however often the broker delivers it: the
 * dedup key {@code (consumer, message id)} is inserted in the same transaction as the consumer's
 * own writes, so a redelivery after a commit finds the key and skips the work. Acknowledge the
 * delivery only after this method returned.
 */
public final class ConsumerDedup {

  /** The consumer's name in the dedup store. */
  public static final String CONSUMER = "stock-reservation";

  private final DataSource dataSource;
  private final Dedup dedup;

  /**
   * @param dataSource the database, migrated with {@code OutpostMigrations}
   * @param schema the schema of Outpost's tables
   */
  public ConsumerDedup(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.dedup = Dedup.builder().schema(schema).build();
  }

  /**
   * Handles one delivery of "reserve {@code quantity} of {@code item}".
   *
   * @param messageId the message id (RabbitMQ: {@code messageId}; Kafka: the {@code
   *     outpost-message-id} header)
   * @return {@code true} if the work ran, {@code false} for a duplicate
   */
  public boolean onMessage(UUID messageId, String item, int quantity) throws SQLException {
    try (Connection tx = dataSource.getConnection()) {
      tx.setAutoCommit(false);
      try {
        boolean processed =
            dedup.processOnce(
                tx,
                CONSUMER,
                messageId,
                () -> {
                  try (PreparedStatement reserve =
                      tx.prepareStatement(
                          "UPDATE example_stock SET reserved = reserved + ? WHERE item = ?")) {
                    reserve.setInt(1, quantity);
                    reserve.setString(2, item);
                    reserve.executeUpdate();
                  }
                });
        tx.commit();
        return processed;
      } catch (SQLException | RuntimeException e) {
        tx.rollback();
        throw e;
      }
    }
  }
}
