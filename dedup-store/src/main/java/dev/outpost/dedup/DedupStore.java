package dev.outpost.dedup;

import dev.outpost.dedup.internal.DatabaseDedupStore;
import dev.outpost.dedup.internal.Identifiers;
import java.sql.Connection;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Where a consumer records the messages it processed, and how it runs its work around that record;
 * the abstraction the consumer helpers ({@link KafkaDedupConsumer}, {@link RabbitMqDedupConsumer})
 * accept through their {@code dedupStore(store, handler)} builder method.
 *
 * <p>Two stores, for two kinds of effect:
 *
 * <ul>
 *   <li>{@link #database(DataSource, Dedup)}: the effect is a database write. The work runs in a
 *       transaction of its own, on the {@link Connection} it is handed, together with the dedup
 *       key; key and effect commit or roll back together (exactly once in effect).
 *   <li>{@link RedisDedup}: the effect is outside the database (an SMS, a payment API, a cache).
 *       The work runs between a claim and a done mark in Redis, and is handed the {@link
 *       RedisClaim}. "Once" is bounded by Redis durability and the lease (see {@link RedisDedup}).
 * </ul>
 *
 * <p>Implementations are thread-safe.
 *
 * @param <C> what the work is handed: the transaction's {@link Connection}, or the {@link
 *     RedisClaim}
 */
public interface DedupStore<C> {

  /**
   * The work for one message, run at most once in effect per {@code (consumer, message id)}.
   *
   * @param <C> what the work is handed
   */
  @FunctionalInterface
  interface Work<C> {
    /**
     * Does the work.
     *
     * @param context the transaction's connection (database store) or the claim (Redis store)
     * @throws Exception when the work failed; the store forgets the message so a redelivery runs
     *     the work again
     */
    void run(C context) throws Exception;
  }

  /**
   * Runs {@code work} unless {@code (consumer, messageId)} was processed already (or, for Redis, is
   * being processed right now).
   *
   * @param consumer the consumer (group) name, 1 to {@value Dedup#MAX_CONSUMER_LENGTH} characters
   * @param messageId the message's stable id
   * @param work the work
   * @return what happened
   * @throws IllegalArgumentException when an argument is null or invalid
   * @throws DedupException when the store fails (the work did not run, or ran and was rolled back)
   *     or the work threw a checked exception (the cause); runtime exceptions and errors of the
   *     work propagate unchanged
   */
  ProcessOutcome processOnce(String consumer, UUID messageId, Work<C> work);

  /**
   * The counts of one consumer since this store was built; {@link DedupCounts#ZERO} for a consumer
   * not seen yet.
   *
   * @throws IllegalArgumentException when {@code consumer} is null
   */
  DedupCounts counts(String consumer);

  /**
   * The database store: each call opens a transaction on {@code dataSource}, records the key
   * through {@code dedup} ({@link Dedup#processOnce(Connection, String, UUID, SqlWork)}), runs the
   * work on the same connection and commits; rolls back when anything throws.
   *
   * @param dataSource the database of the business tables and the {@code dedup_key} table
   * @param dedup the dedup store recording the keys
   * @throws IllegalArgumentException when an argument is null
   */
  static DedupStore<Connection> database(DataSource dataSource, Dedup dedup) {
    Identifiers.require("dataSource", dataSource);
    Identifiers.require("dedup", dedup);
    return new DatabaseDedupStore(dataSource, dedup);
  }
}
