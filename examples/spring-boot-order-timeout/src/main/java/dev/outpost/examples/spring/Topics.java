package dev.outpost.examples.spring;

/** The shop's message topics. */
final class Topics {

  /** An order was placed; payload: the order id. */
  static final String ORDER_CREATED = "order.created";

  /** An order's time is up; payload: the order id; the order id is also the cancel key. */
  static final String ORDER_TIMEOUT = "order.timeout";

  private Topics() {}
}
