package dev.outpost.examples.spring;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.ExitCodeGenerator;
import org.springframework.stereotype.Component;

/**
 * With {@code --shop.simulate=N}: places N orders at {@code shop.rate} per second, pays a share of
 * them at a random moment up to 1.25 timeouts later (so some payments race the timeout), waits
 * until everything settled, prints the {@link Invariants} and exits (code 1 if one fails).
 */
@Component
public class Simulation implements ApplicationRunner, ExitCodeGenerator {

  private static final Logger log = LoggerFactory.getLogger(Simulation.class);
  private static final List<String> ITEMS = List.of("apple", "banana", "cherry", "kiwi", "plum");

  private final OrderService orders;
  private final Invariants invariants;
  private final ShopProperties properties;
  private final Consumers consumers;
  private volatile int exitCode;

  Simulation(
      OrderService orders, Invariants invariants, ShopProperties properties, Consumers consumers) {
    this.consumers = consumers;
    this.orders = orders;
    this.invariants = invariants;
    this.properties = properties;
  }

  @Override
  public void run(ApplicationArguments args) throws InterruptedException {
    if (properties.simulate() <= 0) {
      return;
    }
    exitCode = simulate(properties.simulate(), System.out) ? 0 : 1;
  }

  @Override
  public int getExitCode() {
    return exitCode;
  }

  /** Runs a simulation of {@code count} orders; returns whether every invariant holds. */
  public boolean simulate(int count, PrintStream out) throws InterruptedException {
    out.printf(
        "Simulation: %d orders, timeout %s, pay share %.2f, duplicate share %.2f%n",
        count, properties.orderTimeout(), properties.payShare(), properties.duplicateShare());
    ScheduledThreadPoolExecutor customers = new ScheduledThreadPoolExecutor(6);
    SplittableRandom random = new SplittableRandom(properties.seed());
    long timeoutMillis = properties.orderTimeout().toMillis();
    AtomicLong failures = new AtomicLong();
    for (int i = 0; i < count; i++) {
      String item = ITEMS.get(random.nextInt(ITEMS.size()));
      int quantity = 1 + random.nextInt(3);
      long payAfter =
          random.nextDouble() < properties.payShare() ? random.nextLong(timeoutMillis * 5 / 4) : -1;
      customers.schedule(
          () -> {
            try {
              UUID id = orders.place(item, quantity);
              if (payAfter >= 0) {
                customers.schedule(() -> orders.pay(id), payAfter, TimeUnit.MILLISECONDS);
              }
            } catch (RuntimeException e) {
              failures.incrementAndGet();
              log.warn("placing an order failed", e);
            }
          },
          i * 1_000_000L / properties.rate(),
          TimeUnit.MICROSECONDS);
    }
    long deadline =
        System.nanoTime()
            + Duration.ofMillis(count * 1000L / properties.rate())
                .plus(properties.orderTimeout().multipliedBy(2))
                .plus(properties.settleTimeout())
                .toNanos();
    boolean settled = false;
    while (!settled && System.nanoTime() < deadline) {
      Thread.sleep(200);
      settled = customers.getQueue().isEmpty() && customers.getActiveCount() == 0;
      settled = settled && invariants.settled();
    }
    customers.shutdownNow();
    boolean ok = settled && failures.get() == 0;
    out.println(settled ? "Settled." : "Not settled before the deadline.");
    for (Invariants.Check check : invariants.check()) {
      out.printf(
          "  [%s] %s (%s)%n", check.holds() ? "ok" : "FAIL", check.description(), check.detail());
      ok &= check.holds();
    }
    out.printf(
        "Duplicate deliveries injected %d, skipped by the dedup store %d%n",
        Handlers.duplicatesInjected.get(), consumers.duplicatesSkipped());
    out.println(ok ? "All invariants hold." : "An invariant failed.");
    return ok;
  }
}
