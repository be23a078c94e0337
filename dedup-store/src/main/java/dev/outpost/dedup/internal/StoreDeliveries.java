package dev.outpost.dedup.internal;

import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupStore;
import dev.outpost.dedup.ProcessOutcome;
import java.util.UUID;

/**
 * Runs a consumer helper's deliveries through a {@link DedupStore}. Tells the handler's failures
 * (thrown as {@link DedupTransactions.WorkFailedException}) from the store's.
 *
 * @param <D> the delivery type (a Kafka record, a RabbitMQ delivery, a RocketMQ message)
 */
public final class StoreDeliveries<D> {

  /**
   * The handler of one delivery, handed the store's context.
   *
   * @param <C> the store's context type
   * @param <D> the delivery type
   */
  @FunctionalInterface
  public interface Handler<C, D> {
    /** Processes {@code delivery}. */
    void handle(C context, D delivery) throws Exception;
  }

  @FunctionalInterface
  private interface Runner<D> {
    ProcessOutcome run(UUID messageId, D delivery);
  }

  private final DedupStore<?> store;
  private final String consumer;
  private final Runner<D> runner;

  private StoreDeliveries(DedupStore<?> store, String consumer, Runner<D> runner) {
    this.store = store;
    this.consumer = consumer;
    this.runner = runner;
  }

  /** Deliveries of {@code consumer} through {@code store}, processed by {@code handler}. */
  public static <C, D> StoreDeliveries<D> of(
      DedupStore<C> store, String consumer, Handler<C, D> handler) {
    return new StoreDeliveries<>(
        store,
        consumer,
        (messageId, delivery) ->
            store.processOnce(consumer, messageId, context -> handle(handler, context, delivery)));
  }

  /**
   * Processes one delivery.
   *
   * @throws DedupTransactions.WorkFailedException when the handler threw (the cause)
   * @throws RuntimeException when the store failed
   */
  public ProcessOutcome process(UUID messageId, D delivery) {
    try {
      return runner.run(messageId, delivery);
    } catch (DedupTransactions.WorkFailedException e) {
      throw e;
    } catch (RuntimeException e) {
      // A store may wrap the handler's failure (the database store wraps it in a transaction).
      if (e.getCause() instanceof DedupTransactions.WorkFailedException failed) {
        throw failed;
      }
      throw e;
    }
  }

  /** The store's counts of this consumer. */
  public DedupCounts counts() {
    return store.counts(consumer);
  }

  private static <C, D> void handle(Handler<C, D> handler, C context, D delivery) {
    try {
      handler.handle(context, delivery);
    } catch (Exception e) {
      throw new DedupTransactions.WorkFailedException(e);
    }
  }
}
