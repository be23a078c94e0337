package dev.outpost.examples;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives orders through the running app: places {@code --simulate N} orders at {@code --rate}, pays
 * a random share of them at a random moment between placing and a little after the timeout (so some
 * payments race the timeout), waits until every order has settled, then prints a report and checks
 * the {@link Invariants}.
 */
final class Simulation {

  private static final Logger log = LoggerFactory.getLogger(Simulation.class);

  private final AppConfig config;
  private final App app;
  private final OrderService orders;
  private final Queries queries;
  private final Stats stats;
  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile ScheduledExecutorService customers;
  private volatile ScheduledExecutorService payers;
  private volatile ScheduledExecutorService progress;

  Simulation(AppConfig config, App app, PrintStream out) {
    this.config = config;
    this.app = app;
    this.orders = app.orders();
    this.queries = app.queries();
    this.stats = app.stats();
    this.out = out;
  }

  /** Exit code of a simulation stopped by {@link #stop()} (Ctrl-C): 128 + SIGINT. */
  static final int STOPPED = 130;

  /**
   * Stops placing and paying orders and makes {@link #run()} return {@link #STOPPED} without
   * checking the invariants; {@code run()} joins the simulation's threads before it returns, so the
   * app can close after it. Called from the shutdown hook (Ctrl-C).
   */
  void stop() {
    stopped.countDown();
    for (ScheduledExecutorService pool :
        new ScheduledExecutorService[] {customers, payers, progress}) {
      if (pool != null) {
        pool.shutdownNow();
      }
    }
  }

  private boolean stopping() {
    return stopped.getCount() == 0;
  }

  /** Runs the simulation; returns the process exit code (0 = every invariant holds). */
  int run() throws InterruptedException {
    out.printf(
        "Simulation: %s orders, order timeout %s, pay share %.2f, duplicate share %.2f, %s, seed"
            + " %d%n",
        config.resume() ? "no new" : config.simulate(),
        AppConfig.describe(config.orderTimeout()),
        config.payShare(),
        config.duplicateShare(),
        config.transportName(),
        config.seed());
    progress = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "example-progress"));
    try {
      if (stopping()) {
        return STOPPED;
      }
      progress.scheduleAtFixedRate(this::printProgress, 1, 1, TimeUnit.SECONDS);
      if (!config.resume()) {
        placeAndPay();
      }
      boolean settled = awaitSettled();
      if (stopping()) {
        joinThreads();
        out.printf(
            "%nStopped after %.1f s: %d orders placed; invariants not checked (--resume finishes"
                + " and checks them)%n",
            elapsedSeconds(), stats.placed.sum());
        return STOPPED;
      }
      printProgress();
      return report(settled);
    } finally {
      progress.shutdownNow();
      joinThreads();
    }
  }

  /** Waits for the simulation's threads to end, so none of them outlives the app's pool. */
  private void joinThreads() throws InterruptedException {
    for (ScheduledExecutorService pool :
        new ScheduledExecutorService[] {customers, payers, progress}) {
      if (pool != null && !pool.awaitTermination(30, TimeUnit.SECONDS)) {
        log.warn("simulation threads still running after 30 s");
      }
    }
  }

  private void placeAndPay() throws InterruptedException {
    // Separate pools: when placing falls behind, payments must still happen on time.
    ScheduledExecutorService customers =
        Executors.newScheduledThreadPool(6, r -> new Thread(r, "example-customer"));
    ScheduledExecutorService payers =
        Executors.newScheduledThreadPool(4, r -> new Thread(r, "example-payer"));
    this.customers = customers;
    this.payers = payers;
    if (stopping()) { // stop() may have run before the pools existed
      stop();
      return;
    }
    SplittableRandom random = new SplittableRandom(config.seed());
    List<String> items = AppDatabase.ITEMS;
    long timeoutMillis = config.orderTimeout().toMillis();
    // Every task registers before it is scheduled and arrives when done, pays included.
    Pending pending = new Pending();
    for (int i = 0; i < config.simulate(); i++) {
      String item = items.get(random.nextInt(items.size()));
      int quantity = 1 + random.nextInt(3);
      // Pay somewhere in [0, 1.25 x timeout]: most in time, some racing the timeout, some late.
      long payAfter =
          random.nextDouble() < config.payShare() ? random.nextLong(timeoutMillis * 5 / 4) : -1;
      long placeAt = i * 1_000_000L / config.rate();
      pending.register();
      try {
        customers.schedule(
            () -> customer(payers, pending, item, quantity, payAfter),
            placeAt,
            TimeUnit.MICROSECONDS);
      } catch (RejectedExecutionException e) {
        return; // stopped
      }
    }
    pending.arriveAndAwait(stopped);
    customers.shutdown();
    payers.shutdown();
    customers.awaitTermination(10, TimeUnit.SECONDS);
    payers.awaitTermination(10, TimeUnit.SECONDS);
  }

  private void customer(
      ScheduledExecutorService payers, Pending pending, String item, int quantity, long payAfter) {
    try {
      Order order = orders.place(item, quantity);
      if (payAfter >= 0) {
        pending.register();
        payers.schedule(() -> pay(pending, order.id()), payAfter, TimeUnit.MILLISECONDS);
      }
    } catch (OrderException e) {
      stats.outOfStock.increment();
    } catch (RuntimeException e) {
      if (!stopping()) { // while stopping, refused schedules and interrupted calls are expected
        log.warn("placing an order failed", e);
      }
    } finally {
      pending.arrive();
    }
  }

  private void pay(Pending pending, UUID orderId) {
    try {
      stats.payAttempts.increment();
      orders.pay(orderId);
    } catch (OrderException e) {
      // 409: the timeout won the race; counted by the order service.
    } catch (RuntimeException e) {
      if (!stopping()) {
        log.warn("paying order {} failed", orderId, e);
      }
    } finally {
      pending.arrive();
    }
  }

  /**
   * Waits until no order is unpaid, Outpost has nothing left to deliver, every order was noted by
   * the inventory consumer and every injected duplicate reached the dedup store.
   */
  private boolean awaitSettled() throws InterruptedException {
    long deadline =
        System.nanoTime() + config.orderTimeout().plus(config.settleTimeout()).toNanos();
    while (System.nanoTime() < deadline) {
      if (settled()) {
        return true;
      }
      if (stopped.await(200, TimeUnit.MILLISECONDS)) {
        return false;
      }
    }
    out.println(
        "Not settled after " + AppConfig.describe(config.settleTimeout()) + " (--settle-timeout)");
    return false;
  }

  private boolean settled() {
    Queries.OutboxStatus status = queries.outboxStatus();
    // Every injected duplicate must arrive too (at-least-once); a resumed run has no count of them.
    boolean duplicatesArrived =
        config.resume() || app.duplicatesSkipped() >= stats.duplicatesInjected.sum();
    return duplicatesArrived
        && status.backlog() == 0
        && status.delayedPending() == 0
        && queries.orders(Order.Status.UNPAID) == 0
        && queries.notNoticed() == 0;
  }

  private void printProgress() {
    try {
      Queries.OutboxStatus status = queries.outboxStatus();
      out.printf(
          "[%5.1fs] placed %d  paid %d  released %d  unpaid %d | outbox %d  delayed %d"
              + "  published %d  duplicates skipped %d%n",
          elapsedSeconds(),
          queries.orders(),
          queries.orders(Order.Status.PAID),
          queries.orders(Order.Status.CANCELLED),
          queries.orders(Order.Status.UNPAID),
          status.backlog(),
          status.delayedPending(),
          stats.published.sum(),
          app.duplicatesSkipped());
    } catch (RuntimeException e) {
      if (!stopping()) {
        log.warn("progress query failed: {}", e.toString());
      }
    }
  }

  private int report(boolean settled) {
    long[] lateness = stats.lateness();
    out.println();
    out.printf(Locale.ROOT, "Report after %.1f s (%s)%n", elapsedSeconds(), config.transportName());
    row(
        "orders placed (this run)",
        stats.placed.sum() + "  (refused, out of stock: " + stats.outOfStock.sum() + ")");
    row("orders in the database", queries.orders());
    row("paid", queries.orders(Order.Status.PAID));
    row("released (timed out)", queries.orders(Order.Status.CANCELLED));
    row(
        "payments",
        stats.payAttempts.sum()
            + " tried, "
            + stats.payTooLate.sum()
            + " too late (the timeout had won)");
    row(
        "timeouts at payment",
        stats.timeoutsCancelled.sum()
            + " cancelled, "
            + stats.timeoutsAlreadyDue.sum()
            + " already due (delivered, then ignored: "
            + stats.timeoutsAfterPayment.sum()
            + ")");
    row("messages published", stats.published.sum());
    row(
        "duplicates",
        stats.duplicatesInjected.sum()
            + " injected, "
            + app.duplicatesSkipped()
            + " skipped by the dedup store"
            + (stats.unknownOrders.sum() == 0
                ? ""
                : "; " + stats.unknownOrders.sum() + " for orders not in this database ignored"));
    row(
        "timeout lateness",
        "p50 "
            + lateness[2]
            + " ms, p99 "
            + lateness[3]
            + " ms, max "
            + lateness[4]
            + " ms ("
            + lateness[0]
            + " timeouts)");
    out.println();
    out.println("Invariants");
    boolean allHold = settled;
    for (Invariants.Check check : Invariants.check(queries, stats)) {
      allHold &= check.holds();
      out.printf(
          "  [%s] %s: %s%n", check.holds() ? "ok" : "FAILED", check.description(), check.detail());
    }
    out.println(allHold ? "RESULT: all invariants hold" : "RESULT: INVARIANT FAILED");
    return allHold ? 0 : 1;
  }

  private void row(String label, Object value) {
    out.printf("  %-26s %s%n", label, value);
  }

  private double elapsedSeconds() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Counts scheduled tasks still to finish (a Phaser allows only 65535 parties). */
  private static final class Pending {
    private final AtomicLong open = new AtomicLong(1); // the scheduling thread's own share
    private final CountDownLatch done = new CountDownLatch(1);

    void register() {
      open.incrementAndGet();
    }

    void arrive() {
      if (open.decrementAndGet() == 0) {
        done.countDown();
      }
    }

    /** Arrives and waits until every task arrived or {@code stopped} opened. */
    void arriveAndAwait(CountDownLatch stopped) throws InterruptedException {
      arrive();
      while (!done.await(100, TimeUnit.MILLISECONDS)) {
        if (stopped.getCount() == 0) {
          return;
        }
      }
    }
  }
}
