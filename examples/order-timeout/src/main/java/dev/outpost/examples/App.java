package dev.outpost.examples;

import java.io.IOException;
import java.time.Clock;

/** The running app: database, Outpost's parts, the order service and (optionally) HTTP. */
final class App implements AutoCloseable {

  private final AppDatabase db;
  private final Messaging messaging;
  private final OrderService orders;
  private final Queries queries;
  private final Stats stats;
  private final HttpApi http;
  private boolean closed;

  private App(
      AppDatabase db,
      Messaging messaging,
      OrderService orders,
      Queries queries,
      Stats stats,
      HttpApi http) {
    this.db = db;
    this.messaging = messaging;
    this.orders = orders;
    this.queries = queries;
    this.stats = stats;
    this.http = http;
  }

  /** Opens and migrates the database, starts Outpost's parts, then HTTP when a port is set. */
  static App start(AppConfig config, Clock clock) throws IOException {
    Stats stats = new Stats();
    AppDatabase db = AppDatabase.open(config);
    Messaging messaging = null;
    try {
      db.seedStock(config.initialStock());
      messaging = Messaging.start(config, db, stats, clock);
      OrderService orders =
          new OrderService(
              db, messaging.outbox(), messaging.scheduler(), config.orderTimeout(), stats, clock);
      Queries queries = new Queries(db, messaging.relay(), messaging.scheduler());
      HttpApi http = null;
      if (config.port() >= 0) {
        http = new HttpApi(orders, queries, config.port());
        http.start();
      }
      return new App(db, messaging, orders, queries, stats, http);
    } catch (IOException | RuntimeException e) {
      if (messaging != null) {
        messaging.close();
      }
      db.close();
      throw e;
    }
  }

  OrderService orders() {
    return orders;
  }

  Queries queries() {
    return queries;
  }

  Stats stats() {
    return stats;
  }

  /** Deliveries the dedup store skipped as duplicates since the start. */
  long duplicatesSkipped() {
    return messaging.duplicatesSkipped();
  }

  /** The HTTP port, or -1 without HTTP. */
  int port() {
    return http == null ? -1 : http.port();
  }

  /** Stops HTTP, Outpost's parts and the database; idempotent, callable from a shutdown hook. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      if (http != null) {
        http.close();
      }
      messaging.close();
    } finally {
      db.close();
    }
  }
}
