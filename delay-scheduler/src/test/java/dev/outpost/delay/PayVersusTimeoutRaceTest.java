package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The canonical case: an order placed with a 5-minute timeout that releases its stock, racing the
 * payment that cancels the timeout. The payment marks the order paid only if its cancel removed the
 * timeout; the timeout handler marks it released for every timeout message in the outbox,
 * unconditionally, so a double effect would show. On MariaDB this is also the deadlock check: a
 * payment's cancel and the sweep's delete lock the same rows through different indexes.
 */
@ExtendWith(OutpostDatabaseExtension.class)
class PayVersusTimeoutRaceTest {

  private static final Logger log = LoggerFactory.getLogger(PayVersusTimeoutRaceTest.class);
  private static final String TOPIC = "order-timeout";
  private static final int ORDERS = 600;

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  PayVersusTimeoutRaceTest(TestDatabase db) {
    this.db = db;
  }

  @Test
  void every_order_ends_either_paid_or_released_never_both() throws Exception {
    db.execute(
        "CREATE TABLE IF NOT EXISTS delay_test_orders (id VARCHAR(64) PRIMARY KEY,"
            + " paid boolean NOT NULL DEFAULT false, released boolean NOT NULL DEFAULT false)");
    db.execute("TRUNCATE delay_test_orders");
    try (DelayScheduler delay =
        DelayScheduler.builder().dataSource(db.dataSource()).clock(clock).batchSize(7).build()) {
      List<String> ids = placeOrders(delay);
      clock.advance(Duration.ofMinutes(5));

      race(delay, ids);
      long released = runTimeoutHandler();

      assertThat(db.queryLong("SELECT count(*) FROM delay_test_orders WHERE paid AND released"))
          .as("paid and released")
          .isZero();
      assertThat(db.queryLong("SELECT count(*) FROM delay_test_orders WHERE paid OR released"))
          .as("paid or released")
          .isEqualTo(ORDERS);
      assertThat(released)
          .as("one timeout message per released order")
          .isEqualTo(db.queryLong("SELECT count(*) FROM delay_test_orders WHERE released"));
      assertThat(db.queryLong("SELECT count(DISTINCT message_key) FROM outbox_message"))
          .isEqualTo(released);
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isZero();
      log.info(
          "pay vs timeout: {} paid, {} released",
          db.queryLong("SELECT count(*) FROM delay_test_orders WHERE paid"),
          released);
    }
  }

  private List<String> placeOrders(DelayScheduler delay) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < ORDERS; i++) {
      String id = "order-" + i;
      ids.add(id);
      inTx(
          db.dataSource(),
          c -> {
            try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO delay_test_orders (id) VALUES (?)")) {
              insert.setString(1, id);
              insert.executeUpdate();
            }
            OutboxMessage timeout =
                OutboxMessage.to(TOPIC).key(id).payload(utf8("release " + id)).build();
            return delay.schedule(c, timeout, Duration.ofMinutes(5), id);
          });
    }
    return ids;
  }

  private void race(DelayScheduler delay, List<String> ids) throws Exception {
    List<String> shuffled = new ArrayList<>(ids);
    Collections.shuffle(shuffled, new Random(7));
    CyclicBarrier start = new CyclicBarrier(3);
    AtomicBoolean paymentsDone = new AtomicBoolean();
    AtomicLong paid = new AtomicLong();
    ExecutorService threads = Executors.newFixedThreadPool(3);
    try {
      List<Future<?>> payers = new ArrayList<>();
      for (List<String> half :
          List.of(shuffled.subList(0, ORDERS / 2), shuffled.subList(ORDERS / 2, ORDERS))) {
        payers.add(
            threads.submit(
                () -> {
                  start.await();
                  for (String id : half) {
                    if (pay(delay, id)) {
                      paid.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      Future<?> sweeps =
          threads.submit(
              () -> {
                start.await();
                while (!paymentsDone.get()) {
                  delay.runOnce();
                }
                delay.runOnce();
                return null;
              });
      for (Future<?> payer : payers) {
        payer.get(60, TimeUnit.SECONDS);
      }
      paymentsDone.set(true);
      sweeps.get(60, TimeUnit.SECONDS);
    } finally {
      threads.shutdownNow();
    }
    log.info("payments that won the race: {}", paid.get());
  }

  /**
   * The payment transaction, retried as a whole when the database rolled it back to break a
   * deadlock (InnoDB does that now and then between a cancel and the sweep's delete; the README's
   * "Deadlocks are yours to retry"). PostgreSQL never needs the retry here.
   */
  private boolean pay(DelayScheduler delay, String id) {
    for (int attempt = 1; ; attempt++) {
      try {
        return payOnce(delay, id);
      } catch (RuntimeException e) {
        if (attempt >= 5 || !rolledBackByTheDatabase(e)) {
          throw e;
        }
        log.info("payment of {} rolled back by the database ({}), retrying", id, e.getMessage());
      }
    }
  }

  private static boolean rolledBackByTheDatabase(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof java.sql.SQLTransactionRollbackException
          || (t instanceof java.sql.SQLException sql && "40001".equals(sql.getSQLState()))) {
        return true;
      }
    }
    return false;
  }

  /** The payment transaction: cancel the timeout; only if that worked, the order is paid. */
  private boolean payOnce(DelayScheduler delay, String id) {
    return Db.inTxBoolean(
        db.dataSource(),
        c -> {
          if (!delay.cancel(c, TOPIC, id)) {
            return false; // the timeout is already in the outbox: refuse the payment
          }
          try (PreparedStatement update =
              c.prepareStatement("UPDATE delay_test_orders SET paid = true WHERE id = ?")) {
            update.setString(1, id);
            update.executeUpdate();
          }
          return true;
        });
  }

  /** Consumes the timeout messages in the outbox: each releases its order's stock. */
  private long runTimeoutHandler() {
    long released = 0;
    for (Db.OutboxRow row : Db.outbox(db.dataSource())) {
      assertThat(row.topic()).isEqualTo(TOPIC);
      released +=
          inTx(
              db.dataSource(),
              c -> {
                try (PreparedStatement update =
                    c.prepareStatement(
                        "UPDATE delay_test_orders SET released = true WHERE id = ?")) {
                  update.setString(1, row.key());
                  return update.executeUpdate();
                }
              });
    }
    return released;
  }
}
