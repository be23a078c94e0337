package dev.outpost.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The order-timeout service: places orders, takes payments, and cancels orders left unpaid, with
 * Outpost's outbox, relay, delay scheduler and dedup store doing the messaging.
 *
 * <p>{@code java -jar outpost-example.jar} starts it on an embedded PostgreSQL with in-process
 * delivery; {@code --help} lists the flags (real PostgreSQL, RabbitMQ, Kafka, simulation).
 */
public final class OrderTimeoutApp {

  private OrderTimeoutApp() {}

  /** Parses the flags, runs the app, exits with 0, 1 (an invariant failed) or 2 (bad flags). */
  public static void main(String[] args) throws Exception {
    AppConfig config;
    try {
      config = AppConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(2);
      return;
    }
    if (config == null) {
      System.out.print(AppConfig.USAGE);
      return;
    }
    System.exit(run(config, System.out));
  }

  /** Runs the app with {@code config}; returns the exit code. Serves until the JVM stops. */
  static int run(AppConfig config, PrintStream out) throws IOException, InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    try {
      return run(config, out, closed);
    } finally {
      closed.countDown();
    }
  }

  private static int run(AppConfig config, PrintStream out, CountDownLatch closed)
      throws IOException, InterruptedException {
    try (App app = App.start(config, Clock.systemUTC())) {
      if (app.port() >= 0) {
        printWelcome(out, config, app.port());
      }
      if (config.simulation()) {
        return new Simulation(config, app.orders(), app.queries(), app.stats(), out).run();
      }
      awaitShutdown(closed);
      return 0;
    }
  }

  /** Blocks until Ctrl-C / SIGTERM; the hook then waits for {@code run} to close everything. */
  private static void awaitShutdown(CountDownLatch closed) throws InterruptedException {
    CountDownLatch stopping = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  stopping.countDown();
                  try {
                    closed.await(20, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  }
                },
                "example-shutdown"));
    stopping.await();
  }

  private static void printWelcome(PrintStream out, AppConfig config, int port) {
    String base = "http://localhost:" + port;
    out.printf(
        """

        Order-timeout service on %s (%s, orders time out after %s). Try:
          curl -s -XPOST %s/orders -d '{"item":"apple","quantity":2}'
          curl -s -XPOST %s/orders/<id>/pay
          curl -s %s/orders/<id>
          curl -s %s/stock
          curl -s %s/outbox/status
        Ctrl-C stops it. --help lists the flags; --simulate 1000 runs a simulation.

        """,
        base,
        config.transportName(),
        config.orderTimeout(),
        base,
        base,
        base,
        base,
        base);
  }
}
