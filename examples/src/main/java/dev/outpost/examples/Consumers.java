package dev.outpost.examples;

import java.util.UUID;

/** Routes a delivered message to the app's consumer for its topic, in a transaction of its own. */
final class Consumers {

  private final AppDatabase db;
  private final TimeoutConsumer timeouts;
  private final InventoryConsumer inventory;

  Consumers(AppDatabase db, TimeoutConsumer timeouts, InventoryConsumer inventory) {
    this.db = db;
    this.timeouts = timeouts;
    this.inventory = inventory;
  }

  /**
   * Handles one delivery; returns normally once its transaction committed.
   *
   * @throws IllegalArgumentException for a topic the app does not consume
   */
  void deliver(String topic, UUID messageId, byte[] payload) {
    db.inTransaction(
        tx -> {
          switch (topic) {
            case Events.ORDER_TIMEOUT -> timeouts.handle(tx, messageId, payload);
            case Events.ORDER_CREATED -> inventory.handle(tx, messageId, payload);
            default -> throw new IllegalArgumentException("no consumer for topic '" + topic + "'");
          }
          return null;
        });
  }
}
