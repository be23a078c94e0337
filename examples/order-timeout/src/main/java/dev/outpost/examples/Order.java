package dev.outpost.examples;

import java.time.Instant;
import java.util.UUID;

/** An order as the API shows it. */
record Order(
    UUID id,
    String item,
    int quantity,
    Status status,
    Instant createdAt,
    Instant payBy,
    Instant paidAt,
    Instant cancelledAt) {

  /** A new order waiting for payment until {@code payBy}. */
  static Order unpaid(UUID id, String item, int quantity, Instant createdAt, Instant payBy) {
    return new Order(id, item, quantity, Status.UNPAID, createdAt, payBy, null, null);
  }

  /** Where an order is in its life. */
  enum Status {
    /** Placed, stock locked, waiting for payment or the timeout. */
    UNPAID,
    /** Paid before the timeout; its stock is sold. */
    PAID,
    /** Not paid in time; its stock went back to the shelf. */
    CANCELLED
  }
}
