package dev.outpost.examples;

import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.util.concurrent.CountDownLatch;

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
    // jOOQ prints a banner and a "tip of the day" on first use; the demo's output is the app's.
    System.setProperty("org.jooq.no-logo", "true");
    System.setProperty("org.jooq.no-tips", "true");
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
    try (App app = App.start(config, Clock.systemUTC())) {
      // Ctrl-C / SIGTERM: close everything (the embedded PostgreSQL included) before the JVM ends.
      CountDownLatch stopping = new CountDownLatch(1);
      Thread hook =
          new Thread(
              () -> {
                stopping.countDown();
                app.close();
              },
              "example-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        if (app.port() >= 0) {
          printWelcome(out, config, app.port());
        }
        if (config.simulation()) {
          return new Simulation(config, app, out).run();
        }
        stopping.await();
        return 0;
      } finally {
        removeHook(hook);
      }
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook closes the app
    }
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
        AppConfig.describe(config.orderTimeout()),
        base,
        base,
        base,
        base,
        base);
  }
}
