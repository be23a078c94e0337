package dev.outpost.dedup.internal;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupStore;
import java.sql.Connection;
import javax.sql.DataSource;
import org.jooq.DSLContext;

/**
 * What a consumer helper's builder was given to process deliveries with: the database path (data
 * source, optional dedup, a jOOQ or a JDBC handler) or a store path (a {@link DedupStore} and its
 * handler). The Kafka, RabbitMQ and RocketMQ builders keep one of these instead of six fields each,
 * and {@link #deliveries(String)} checks the choice once for all three. Not thread-safe, like the
 * builders.
 *
 * @param <D> the delivery type (a Kafka record, a RabbitMQ delivery, a RocketMQ message)
 */
public final class ConsumerWork<D> {

  private DataSource dataSource;
  private Dedup dedup;
  private StoreDeliveries.Handler<DSLContext, D> handler;
  private StoreDeliveries.Handler<Connection, D> jdbcHandler;
  private DedupStore<?> store;
  private StoreDeliveries.Handler<?, D> storeHandler;

  /** The database of the business tables and the {@code dedup_key} table. */
  public void dataSource(DataSource dataSource) {
    this.dataSource = dataSource;
  }

  /** The dedup store of the database path; {@code null} for {@code Dedup.builder().build()}. */
  public void dedup(Dedup dedup) {
    this.dedup = dedup;
  }

  /** The business work on a jOOQ transaction, or {@code null}. */
  public void handler(StoreDeliveries.Handler<DSLContext, D> handler) {
    this.handler = handler;
  }

  /** The business work on a JDBC transaction, or {@code null}. */
  public void jdbcHandler(StoreDeliveries.Handler<Connection, D> jdbcHandler) {
    this.jdbcHandler = jdbcHandler;
  }

  /** The store path: {@code store} runs each delivery through {@code handler}. */
  public <C> void store(DedupStore<C> store, StoreDeliveries.Handler<C, D> handler) {
    this.store = store;
    this.storeHandler = handler;
  }

  /**
   * The deliveries of {@code consumer} along the path given.
   *
   * @throws IllegalArgumentException when the paths are mixed, the store path lacks its store or
   *     handler, or the database path lacks its data source or has not exactly one handler
   */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public StoreDeliveries<D> deliveries(String consumer) {
    if (store != null || storeHandler != null) {
      if (store == null || storeHandler == null) {
        throw new IllegalArgumentException(
            "dedupStore(store, handler) needs both a store and a handler; "
                + (store == null ? "store" : "handler")
                + " is null");
      }
      if (dataSource != null || dedup != null || handler != null || jdbcHandler != null) {
        throw new IllegalArgumentException(
            "dedupStore(store, handler) replaces dataSource, dedup, handler and jdbcHandler;"
                + " set either dedupStore or those");
      }
      return StoreDeliveries.of(
          (DedupStore) store, consumer, (StoreDeliveries.Handler) storeHandler);
    }
    if (dataSource == null) {
      throw new IllegalArgumentException(
          "dataSource must not be null; pass the DataSource of the business and dedup_key tables"
              + " (or use dedupStore(store, handler))");
    }
    if ((handler == null) == (jdbcHandler == null)) {
      throw new IllegalArgumentException(
          "set exactly one of handler (jOOQ) and jdbcHandler (JDBC); "
              + (handler == null ? "none is set" : "both are set"));
    }
    StoreDeliveries.Handler<DSLContext, D> jooq = handler;
    StoreDeliveries.Handler<Connection, D> work =
        jdbcHandler != null
            ? jdbcHandler
            : (tx, delivery) -> jooq.handle(DedupTransactions.jooq(tx), delivery);
    return StoreDeliveries.of(
        DedupStore.database(dataSource, dedup != null ? dedup : Dedup.builder().build()),
        consumer,
        work);
  }
}
