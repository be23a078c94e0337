package dev.outpost.spring.boot;

import dev.outpost.dedup.Dedup;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The dedup store for Spring: records {@code (consumer, messageId)} in the <b>current
 * Spring-managed transaction</b> and runs the work only the first time, so the key and the work's
 * statements ({@code JdbcTemplate}, jOOQ, ...) commit or roll back together.
 *
 * <pre>{@code
 * @Transactional
 * public void onOrderCreated(RelayMessage message) {
 *   dedup.processOnce("inventory", message.messageId(), () -> jdbc.update("INSERT ...", ...));
 * }
 * }</pre>
 *
 * <p>Thread-safe; the auto-configuration provides one bean.
 */
public final class SpringDedup {

  private final Dedup dedup;
  private final SpringTransactions transactions;

  /** Records keys with {@code dedup} on the transactions of {@code dataSource}. */
  public SpringDedup(Dedup dedup, DataSource dataSource) {
    if (dedup == null) {
      throw new IllegalArgumentException("dedup must not be null");
    }
    this.dedup = dedup;
    this.transactions = new SpringTransactions(dataSource);
  }

  /**
   * Runs {@code work} unless {@code (consumer, messageId)} was already processed, in the current
   * transaction. When the work throws, the exception propagates and the transaction must roll back
   * ({@code @Transactional} does for runtime exceptions), which removes the key too.
   *
   * @return {@code true} when the work ran, {@code false} for a duplicate
   * @throws IllegalStateException when no Spring-managed transaction is active
   * @see Dedup#processOnce(java.sql.Connection, String, UUID, dev.outpost.dedup.SqlWork)
   */
  public boolean processOnce(String consumer, UUID messageId, Runnable work) {
    if (work == null) {
      throw new IllegalArgumentException("work must not be null");
    }
    return transactions.inCurrentTransaction(
        "SpringDedup.processOnce",
        "the dedup key would commit on its own, apart from the work",
        c -> dedup.processOnce(c, consumer, messageId, work::run));
  }

  /** The store underneath, for its counts or explicit-transaction calls. */
  public Dedup dedup() {
    return dedup;
  }
}
