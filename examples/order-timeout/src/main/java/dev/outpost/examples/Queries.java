package dev.outpost.examples;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import java.util.List;

/**
 * Read-only views for {@code GET /stock}, {@code GET /outbox/status}, the simulation's progress and
 * the invariants: the app's tables through their repositories, Outpost's through its APIs.
 */
final class Queries {

  /**
   * What Outpost still has to do: messages waiting in the outbox, dead letters, delayed messages
   * not yet due.
   */
  record OutboxStatus(long backlog, long oldestAgeMillis, long deadLetters, long delayedPending) {}

  private final AppDatabase db;
  private final Relay relay;
  private final DelayScheduler scheduler;

  Queries(AppDatabase db, Relay relay, DelayScheduler scheduler) {
    this.db = db;
    this.relay = relay;
    this.scheduler = scheduler;
  }

  List<StockRepository.StockLevel> stock() {
    return db.inTransaction(tx -> db.stock().levels(tx));
  }

  /** From the relay's health view and dead-letter API, and the scheduler's pending count. */
  OutboxStatus outboxStatus() {
    RelayHealth health = relay.health();
    return new OutboxStatus(
        health.backlog(),
        health.oldestPendingAge() == null ? 0 : health.oldestPendingAge().toMillis(),
        relay.deadLetters().count(DeadLetterFilter.all()),
        scheduler.pending().count());
  }

  /** Orders in the database. */
  long orders() {
    return db.inTransaction(tx -> db.orders().count(tx));
  }

  /** Orders in {@code status}. */
  long orders(Order.Status status) {
    return db.inTransaction(tx -> db.orders().count(tx, status));
  }

  /** Orders the inventory consumer has not noted yet. */
  long notNoticed() {
    return db.inTransaction(tx -> db.notices().notNoticed(tx));
  }

  /** Orders noted zero or several times. */
  long wrongNotices() {
    return db.inTransaction(tx -> db.notices().wrongNotices(tx));
  }

  /** Orders whose stock was released other than once-if-cancelled, and stray releases. */
  long wrongReleases() {
    return db.inTransaction(tx -> db.stock().wrongReleases(tx));
  }
}
