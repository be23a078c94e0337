package dev.outpost.spring.boot;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.OutpostException;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The {@link Outbox} writer for Spring: writes messages in the <b>current Spring-managed
 * transaction</b> ({@code @Transactional}, {@code TransactionTemplate}), on the same connection as
 * {@code JdbcTemplate}, {@code JdbcClient} and Boot's jOOQ {@code DSLContext}, so the message
 * commits or rolls back with the business change.
 *
 * <pre>{@code
 * @Transactional
 * public void placeOrder(Order order) {
 *   jdbc.update("INSERT INTO orders ...", ...);
 *   outbox.send(OutboxMessage.to("order.created").key(order.id()).payloadJson(order).build());
 * }
 * }</pre>
 *
 * <p>Thread-safe; the auto-configuration provides one bean.
 */
public final class SpringOutbox {

  private static final String EFFECT =
      "the message would commit on its own, apart from the business change";

  private final Outbox outbox;
  private final SpringTransactions transactions;

  /** Writes with {@code outbox} on the transactions of {@code dataSource}. */
  public SpringOutbox(Outbox outbox, DataSource dataSource) {
    if (outbox == null) {
      throw new IllegalArgumentException("outbox must not be null");
    }
    this.outbox = outbox;
    this.transactions = new SpringTransactions(dataSource);
  }

  /**
   * Writes {@code message} in the current transaction.
   *
   * @return the message id
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @throws IllegalArgumentException if the message breaks a configured limit
   * @throws OutpostException if the database rejects the insert
   */
  public UUID send(OutboxMessage message) {
    return transactions.inCurrentTransaction(
        "SpringOutbox.send", EFFECT, c -> outbox.send(c, message));
  }

  /**
   * Writes all {@code messages} in list order in the current transaction, with one multi-row
   * insert.
   *
   * @return the message ids, in list order
   * @throws IllegalStateException when no Spring-managed transaction is active
   */
  public List<UUID> sendAll(List<OutboxMessage> messages) {
    return transactions.inCurrentTransaction(
        "SpringOutbox.sendAll", EFFECT, c -> outbox.sendAll(c, messages));
  }

  /** The writer underneath, for its configuration or for explicit-transaction calls. */
  public Outbox outbox() {
    return outbox;
  }
}
