package dev.outpost.examples;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupCounts;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/** The app's two consumers, by topic, and the dedup store they run through. */
final class Consumers {

  /** The business work of one consumer for one message, in the caller's transaction. */
  @FunctionalInterface
  interface Work {
    void run(Connection tx, UUID messageId, byte[] payload) throws SQLException;
  }

  /** One consumer: the topic it reads, its name in the dedup store, its work. */
  record Consumer(String topic, String name, Work work) {}

  private final AppDatabase db;
  private final Dedup dedup;
  private final List<Consumer> all;

  Consumers(AppDatabase db, Dedup dedup, TimeoutConsumer timeouts, InventoryConsumer inventory) {
    this.db = db;
    this.dedup = dedup;
    this.all =
        List.of(
            new Consumer(Events.ORDER_CREATED, InventoryConsumer.NAME, inventory::note),
            new Consumer(Events.ORDER_TIMEOUT, TimeoutConsumer.NAME, timeouts::releaseIfUnpaid));
  }

  List<Consumer> all() {
    return all;
  }

  Dedup dedup() {
    return dedup;
  }

  AppDatabase db() {
    return db;
  }

  /**
   * Handles one in-process delivery: the consumer's work and its dedup key in one transaction, so a
   * redelivered message is skipped. Returns once the transaction committed.
   *
   * @throws IllegalArgumentException for a topic the app does not consume
   */
  void deliver(String topic, UUID messageId, byte[] payload) {
    Consumer consumer =
        all.stream()
            .filter(c -> c.topic().equals(topic))
            .findFirst()
            .orElseThrow(
                () -> new IllegalArgumentException("no consumer for topic '" + topic + "'"));
    db.inTransaction(
        tx ->
            dedup.processOnce(
                tx, consumer.name(), messageId, () -> consumer.work().run(tx, messageId, payload)));
  }

  /** Deliveries the dedup store recognised as duplicates and skipped, all consumers. */
  long duplicatesSkipped() {
    return dedup.counts().values().stream().mapToLong(DedupCounts::duplicates).sum();
  }
}
