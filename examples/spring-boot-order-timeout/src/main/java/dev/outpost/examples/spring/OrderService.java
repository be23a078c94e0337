package dev.outpost.examples.spring;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.spring.boot.SpringDelayScheduler;
import dev.outpost.spring.boot.SpringOutbox;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.springframework.dao.EmptyResultDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Places and pays orders. Each method is one Spring transaction holding the business rows and the
 * messages: {@link SpringOutbox} and {@link SpringDelayScheduler} write on the connection of the
 * transaction that {@code JdbcTemplate} uses, so everything commits or rolls back together.
 */
@Service
public class OrderService {

  /** The outcome of a payment. */
  public enum Payment {
    /** Paid in time; the timeout is cancelled. */
    PAID,
    /** Already paid before. */
    ALREADY_PAID,
    /** The timeout won: the order was cancelled. */
    TOO_LATE,
    /** No such order. */
    UNKNOWN
  }

  private final JdbcTemplate jdbc;
  private final SpringOutbox outbox;
  private final SpringDelayScheduler delays;
  private final ShopProperties properties;
  private final Clock clock = Clock.systemUTC();

  OrderService(
      JdbcTemplate jdbc,
      SpringOutbox outbox,
      SpringDelayScheduler delays,
      ShopProperties properties) {
    this.jdbc = jdbc;
    this.outbox = outbox;
    this.delays = delays;
    this.properties = properties;
  }

  /**
   * Locks the stock and creates an unpaid order, its {@code order.created} message and its timeout,
   * in one transaction.
   *
   * @return the order id
   * @throws IllegalArgumentException for an unknown item or when out of stock (the transaction
   *     rolls back: no order, no message, no timeout)
   */
  @Transactional
  public UUID place(String item, int quantity) {
    UUID id = UUID.randomUUID();
    Instant now = clock.instant();
    Instant payBy = now.plus(properties.orderTimeout());
    int inserted =
        jdbc.update(
            "INSERT INTO orders (id, item, quantity, status, created_at, pay_by)"
                + " SELECT ?, item, ?, 'UNPAID', ?, ? FROM stock WHERE item = ?",
            id,
            quantity,
            Timestamp.from(now),
            Timestamp.from(payBy),
            item);
    if (inserted == 0) {
      throw new IllegalArgumentException("no item '" + item + "'");
    }
    outbox.send(
        OutboxMessage.to(Topics.ORDER_CREATED).key(id.toString()).payload(id.toString()).build());
    delays.scheduleAt(
        OutboxMessage.to(Topics.ORDER_TIMEOUT).key(id.toString()).payload(id.toString()).build(),
        payBy,
        id.toString());
    // Last, so the item's row lock is held only until the commit that follows.
    if (jdbc.update(
            "UPDATE stock SET available = available - ? WHERE item = ? AND available >= ?",
            quantity,
            item,
            quantity)
        == 0) {
      throw new IllegalArgumentException("'" + item + "' is out of stock");
    }
    return id;
  }

  /** Marks an unpaid order paid and cancels its timeout, in one transaction. */
  @Transactional
  public Payment pay(UUID id) {
    // Whoever flips UNPAID first wins: this update or the timeout consumer's; both lock the row.
    if (jdbc.update(
            "UPDATE orders SET status = 'PAID', paid_at = ? WHERE id = ? AND status = 'UNPAID'",
            Timestamp.from(clock.instant()),
            id)
        == 1) {
      // false: the timeout already moved to the outbox; its consumer will find the order PAID.
      delays.cancel(Topics.ORDER_TIMEOUT, id.toString());
      return Payment.PAID;
    }
    try {
      String status =
          jdbc.queryForObject("SELECT status FROM orders WHERE id = ?", String.class, id);
      return "PAID".equals(status) ? Payment.ALREADY_PAID : Payment.TOO_LATE;
    } catch (EmptyResultDataAccessException e) {
      return Payment.UNKNOWN;
    }
  }

  /** The order's row, or an empty map. */
  @Transactional(readOnly = true)
  public Map<String, Object> find(UUID id) {
    return jdbc
        .queryForList(
            "SELECT id, item, quantity, status, created_at, pay_by, paid_at, cancelled_at"
                + " FROM orders WHERE id = ?",
            id)
        .stream()
        .findFirst()
        .orElse(Map.of());
  }
}
