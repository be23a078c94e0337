package dev.outpost.examples.spring;

import dev.outpost.relay.RelayMessage;
import dev.outpost.spring.boot.SpringDedup;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The shop's two consumers. Each handles a message in one Spring transaction through {@link
 * SpringDedup}, so a repeated delivery is skipped and the dedup key commits with the work.
 */
@Service
public class Consumers {

  /** Dedup consumer name of the inventory consumer. */
  static final String INVENTORY = "inventory";

  /** Dedup consumer name of the timeout consumer. */
  static final String TIMEOUT = "order-timeout";

  private final JdbcTemplate jdbc;
  private final SpringDedup dedup;
  private final Clock clock = Clock.systemUTC();
  private final AtomicLong duplicatesSkipped = new AtomicLong();
  private final AtomicLong earlyTimeouts = new AtomicLong();

  Consumers(JdbcTemplate jdbc, SpringDedup dedup) {
    this.jdbc = jdbc;
    this.dedup = dedup;
  }

  /** {@code order.created}: notes the order for the warehouse, once. */
  @Transactional
  public void onOrderCreated(RelayMessage message) {
    UUID orderId = orderId(message);
    boolean ran =
        dedup.processOnce(
            INVENTORY,
            message.messageId(),
            () ->
                jdbc.update(
                    "INSERT INTO order_notice (order_id, message_id, noticed_at)"
                        + " SELECT id, ?, ? FROM orders WHERE id = ?",
                    message.messageId(),
                    Timestamp.from(clock.instant()),
                    orderId));
    if (!ran) {
      duplicatesSkipped.incrementAndGet();
    }
  }

  /** {@code order.timeout}: cancels the order if still unpaid and puts its stock back, once. */
  @Transactional
  public void onOrderTimeout(RelayMessage message) {
    UUID orderId = orderId(message);
    boolean ran =
        dedup.processOnce(TIMEOUT, message.messageId(), () -> releaseIfUnpaid(orderId, message));
    if (!ran) {
      duplicatesSkipped.incrementAndGet();
    }
  }

  private void releaseIfUnpaid(UUID orderId, RelayMessage message) {
    Instant now = clock.instant();
    List<Map<String, Object>> cancelled =
        jdbc.queryForList(
            "UPDATE orders SET status = 'CANCELLED', cancelled_at = ?"
                + " WHERE id = ? AND status = 'UNPAID' RETURNING item, quantity, pay_by",
            Timestamp.from(now),
            orderId);
    if (cancelled.isEmpty()) {
      return; // paid first: nothing to release
    }
    Map<String, Object> order = cancelled.get(0);
    if (((Timestamp) order.get("pay_by")).toInstant().isAfter(now)) {
      earlyTimeouts.incrementAndGet();
    }
    jdbc.update(
        "UPDATE stock SET available = available + ? WHERE item = ?",
        order.get("quantity"),
        order.get("item"));
    jdbc.update(
        "INSERT INTO stock_release (order_id, quantity, message_id, released_at)"
            + " VALUES (?, ?, ?, ?)",
        orderId,
        order.get("quantity"),
        message.messageId(),
        Timestamp.from(now));
  }

  /** Deliveries the dedup store skipped as duplicates. */
  public long duplicatesSkipped() {
    return duplicatesSkipped.get();
  }

  /** Timeouts that arrived before their order's due time (must stay 0). */
  public long earlyTimeouts() {
    return earlyTimeouts.get();
  }

  private static UUID orderId(RelayMessage message) {
    return UUID.fromString(new String(message.payload(), StandardCharsets.UTF_8));
  }
}
