package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.Dialect;
import dev.outpost.outbox.MessageIds;
import dev.outpost.testing.TestDatabase;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The app's migrations and every statement of its repositories, on one database (a subclass per
 * database): without Outpost's relay or delay scheduler, so it runs wherever the tables do.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ShopTablesContract {

  private TestDatabase db;
  private String schema;
  private AppDatabase app;

  abstract TestDatabase database();

  abstract Dialect expectedDialect();

  @BeforeAll
  void migrate() {
    db = database();
    // On MySQL/MariaDB a schema is a database on the shared server: name it after this JVM's one.
    schema = db.isPostgres() ? "example_tables" : db.schema() + "_tables";
    new OrderLedger(db, schema).reset();
    app = open(db.jdbcUrl());
    app.seedStock(1000);
  }

  @AfterAll
  void close() {
    if (app != null) {
      app.close();
    }
    if (!db.isPostgres()) {
      new OrderLedger(db, schema).reset();
    }
  }

  AppDatabase open(String jdbcUrl) {
    return AppDatabase.open(
        AppConfig.parse(
            new String[] {
              "--jdbc-url",
              jdbcUrl,
              "--jdbc-user",
              db.user(),
              "--jdbc-password",
              db.password(),
              "--schema",
              schema
            },
            Map.of()));
  }

  @Test
  void migrates_once_and_seeds_stock_only_where_it_is_missing() {
    assertThat(app.dialect()).isEqualTo(expectedDialect());
    try (AppDatabase again = open(db.jdbcUrl())) {
      again.seedStock(5); // every item is stocked already: nothing changes
    }
    assertThat(app.<List<StockRepository.StockLevel>>inTransaction(tx -> app.stock().levels(tx)))
        .extracting(StockRepository.StockLevel::item)
        .containsExactlyElementsOf(AppDatabase.ITEMS);
    assertThat(db.queryLong("SELECT count(*) FROM " + schema + ".stock WHERE initial = 1000"))
        .isEqualTo(AppDatabase.ITEMS.size());
  }

  @Test
  void an_order_round_trips_with_its_id_and_times_to_the_microsecond() {
    Instant created = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Order order = Order.unpaid(MessageIds.next(), "plum", 2, created, created.plusSeconds(60));

    assertThat(app.<Boolean>inTransaction(tx -> app.orders().insert(tx, order))).isTrue();

    assertThat(app.<Optional<Order>>inTransaction(tx -> app.orders().find(tx, order.id())))
        .contains(order);
    Order unknownItem = Order.unpaid(MessageIds.next(), "durian", 1, created, created);
    assertThat(app.<Boolean>inTransaction(tx -> app.orders().insert(tx, unknownItem))).isFalse();
    assertThat(app.<Optional<Order>>inTransaction(tx -> app.orders().find(tx, UUID.randomUUID())))
        .isEmpty();
  }

  @Test
  void payment_and_timeout_each_win_only_over_an_unpaid_order() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    Order paid = place("banana", 3, now);
    Order timedOut = place("banana", 4, now);

    assertThat(app.<Boolean>inTransaction(tx -> app.orders().markPaid(tx, paid.id(), now)))
        .isTrue();
    assertThat(app.<Boolean>inTransaction(tx -> app.orders().markPaid(tx, paid.id(), now)))
        .isFalse();
    assertThat(
            app.<Optional<OrderRepository.Release>>inTransaction(
                tx -> app.orders().cancelIfUnpaid(tx, paid.id(), now)))
        .isEmpty();

    assertThat(
            app.<Optional<OrderRepository.Release>>inTransaction(
                tx -> app.orders().cancelIfUnpaid(tx, timedOut.id(), now)))
        .contains(new OrderRepository.Release("banana", 4));
    assertThat(
            app.<Optional<OrderRepository.Release>>inTransaction(
                tx -> app.orders().cancelIfUnpaid(tx, timedOut.id(), now)))
        .isEmpty();
    assertThat(app.<Boolean>inTransaction(tx -> app.orders().markPaid(tx, timedOut.id(), now)))
        .isFalse();
    Order cancelled = app.inTransaction(tx -> app.orders().find(tx, timedOut.id())).orElseThrow();
    assertThat(cancelled.status()).isEqualTo(Order.Status.CANCELLED);
    assertThat(cancelled.cancelledAt()).isEqualTo(now);
  }

  @Test
  void stock_is_taken_only_while_enough_is_left_and_released_with_an_audit_row() {
    app.inTransaction(
        tx -> {
          long wrongReleasesBefore = app.stock().wrongReleases(tx);
          assertThat(app.stock().take(tx, "cherry", 300)).isTrue();
          assertThat(app.stock().available(tx, "cherry")).isEqualTo(700);
          assertThat(app.stock().take(tx, "cherry", 701)).isFalse();
          UUID order = MessageIds.next();
          app.stock().release(tx, "cherry", 300, order, MessageIds.next(), Instant.now());
          assertThat(app.stock().available(tx, "cherry")).isEqualTo(1000);
          // A release of an order that does not exist is a wrong release.
          assertThat(app.stock().wrongReleases(tx)).isEqualTo(wrongReleasesBefore + 1);
          tx.rollback();
          return null;
        });
  }

  @Test
  void the_invariant_queries_see_a_double_release_and_a_missing_notice() {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    app.inTransaction(
        tx -> {
          long wrongReleasesBefore = app.stock().wrongReleases(tx);
          long wrongNoticesBefore = app.notices().wrongNotices(tx);
          Order order = Order.unpaid(MessageIds.next(), "kiwi", 1, now, now);
          app.orders().insert(tx, order);
          assertThat(app.notices().notNoticed(tx)).isPositive();
          assertThat(app.notices().wrongNotices(tx)).isEqualTo(wrongNoticesBefore + 1);
          assertThat(app.notices().insert(tx, order.id(), MessageIds.next(), now)).isTrue();
          assertThat(app.notices().wrongNotices(tx)).isEqualTo(wrongNoticesBefore);
          assertThat(app.notices().insert(tx, UUID.randomUUID(), MessageIds.next(), now)).isFalse();

          app.orders().cancelIfUnpaid(tx, order.id(), now);
          assertThat(app.stock().wrongReleases(tx)).isEqualTo(wrongReleasesBefore + 1);
          app.stock().release(tx, "kiwi", 1, order.id(), MessageIds.next(), now);
          assertThat(app.stock().wrongReleases(tx)).isEqualTo(wrongReleasesBefore);
          app.stock().release(tx, "kiwi", 1, order.id(), MessageIds.next(), now);
          assertThat(app.stock().wrongReleases(tx)).isEqualTo(wrongReleasesBefore + 1);
          tx.rollback();
          return null;
        });
  }

  @Test
  void stock_levels_add_up_locked_and_sold_units() {
    app.inTransaction(
        tx -> {
          Instant now = Instant.now();
          Order unpaid = Order.unpaid(MessageIds.next(), "apple", 2, now, now);
          Order paid = Order.unpaid(MessageIds.next(), "apple", 5, now, now);
          for (Order o : List.of(unpaid, paid)) {
            app.orders().insert(tx, o);
            app.stock().take(tx, "apple", o.quantity());
          }
          app.orders().markPaid(tx, paid.id(), now);
          StockRepository.StockLevel apple =
              app.stock().levels(tx).stream()
                  .filter(l -> l.item().equals("apple"))
                  .findFirst()
                  .orElseThrow();
          assertThat(apple.locked()).isGreaterThanOrEqualTo(2);
          assertThat(apple.sold()).isGreaterThanOrEqualTo(5);
          assertThat(apple.balanced()).isTrue();
          assertThat(app.orders().count(tx, Order.Status.PAID)).isPositive();
          assertThat(app.orders().count(tx))
              .isGreaterThanOrEqualTo(app.orders().count(tx, Order.Status.UNPAID) + 1);
          tx.rollback();
          return null;
        });
  }

  @Test
  @Timeout(120)
  void concurrent_orders_of_one_item_all_commit_and_take_their_stock() throws Exception {
    int threads = 8;
    int perThread = 25;
    app.inTransaction(tx -> app.stock().levels(tx)); // warm the pool
    long before = app.inTransaction(tx -> (long) app.stock().available(tx, "kiwi"));
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        futures.add(
            pool.submit(
                () -> {
                  for (int i = 0; i < perThread; i++) {
                    Instant now = Instant.now();
                    Order order = Order.unpaid(MessageIds.next(), "kiwi", 1, now, now);
                    // The order's shape: insert the order, then take the item's stock last.
                    app.inTransaction(
                        tx -> {
                          assertThat(app.orders().insert(tx, order)).isTrue();
                          assertThat(app.stock().take(tx, "kiwi", 1)).isTrue();
                          return null;
                        });
                  }
                  return null;
                }));
      }
      for (Future<?> future : futures) {
        future.get();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(app.<Long>inTransaction(tx -> (long) app.stock().available(tx, "kiwi")))
        .isEqualTo(before - threads * perThread);
    assertThat(db.queryLong("SELECT count(*) FROM " + schema + ".orders WHERE item = 'kiwi'"))
        .isGreaterThanOrEqualTo((long) threads * perThread);
  }

  private Order place(String item, int quantity, Instant now) {
    Order order = Order.unpaid(MessageIds.next(), item, quantity, now, now.plusSeconds(60));
    app.inTransaction(
        tx -> {
          assertThat(app.orders().insert(tx, order)).isTrue();
          assertThat(app.stock().take(tx, item, quantity)).isTrue();
          return null;
        });
    return order;
  }
}
