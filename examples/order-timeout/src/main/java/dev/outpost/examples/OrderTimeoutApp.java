package dev.outpost.examples;

import dev.outpost.common.UnsupportedDatabaseException;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The order-timeout service: places orders, takes payments, and cancels orders left unpaid, with
 * Outpost's outbox, relay, delay scheduler and dedup store doing the messaging.
 *
 * <p>{@code java -jar outpost-example.jar} starts it on an embedded PostgreSQL with in-process
 * delivery; {@code --help} lists the flags (real PostgreSQL, MySQL or MariaDB, RabbitMQ, Kafka,
 * simulation).
 */
public final class OrderTimeoutApp {

  private OrderTimeoutApp() {}

  /** Exit code for bad flags and for a database or broker the app cannot use. */
  static final int EXIT_USAGE = 2;

  /** Set by the shutdown hook: the JVM is exiting already, so main must not call exit. */
  private static volatile boolean shuttingDown;

  /**
   * Parses the flags, runs the app, exits with 0, 1 (an invariant failed), 2 (bad flags, a broker
   * that refuses the connection, or a database Outpost does not run on) or 130 (a simulation
   * stopped by Ctrl-C).
   */
  public static void main(String[] args) throws Exception {
    AppConfig config;
    try {
      config = AppConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println("error: " + e.getMessage());
      System.exit(EXIT_USAGE);
      return;
    }
    if (config == null) {
      System.out.print(AppConfig.usage());
      return;
    }
    int code;
    try {
      code = run(config, System.out);
    } catch (BrokerUnavailableException
        | DatabaseUnavailableException
        | UnsupportedDatabaseException e) {
      // An unreachable broker or database, or a database Outpost does not run on (MySQL 5.7,
      // MariaDB 10.5): one line naming what was found and what is needed.
      System.err.println("error: " + e.getMessage());
      code = EXIT_USAGE;
    }
    if (!shuttingDown) {
      System.exit(code);
    }
  }

  /** Runs the app with {@code config}; returns the exit code. Serves until the JVM stops. */
  static int run(AppConfig config, PrintStream out) throws IOException, InterruptedException {
    CountDownLatch closed = new CountDownLatch(1);
    try (App app = App.start(config, Clock.systemUTC())) {
      Simulation simulation = config.simulation() ? new Simulation(config, app, out) : null;
      CountDownLatch stopping = new CountDownLatch(1);
      // Ctrl-C / SIGTERM: stop the simulation's threads, then let this thread close the app (the
      // embedded PostgreSQL included); close it here only if that does not happen in time.
      Thread hook =
          new Thread(
              () -> {
                shuttingDown = true;
                stopping.countDown();
                if (simulation != null) {
                  simulation.stop();
                }
                try {
                  if (!closed.await(SHUTDOWN_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    app.close();
                  }
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  app.close();
                }
              },
              "example-shutdown");
      Runtime.getRuntime().addShutdownHook(hook);
      try {
        if (app.port() >= 0) {
          printWelcome(out, config, app.port());
        }
        if (simulation != null) {
          return simulation.run();
        }
        stopping.await();
        return 0;
      } finally {
        removeHook(hook);
      }
    } finally {
      closed.countDown();
    }
  }

  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(40);

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down; the hook waits for this thread to close the app
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
