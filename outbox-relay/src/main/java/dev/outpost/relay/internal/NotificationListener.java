package dev.outpost.relay.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one connection that {@code LISTEN}s on the writer's channel and calls back when a
 * transaction that wrote outbox rows of our schema commits. On a lost connection it reconnects with
 * growing pauses; polling keeps delivering meanwhile, and every (re)connect calls back once to
 * catch up on notifications missed while disconnected.
 */
final class NotificationListener implements AutoCloseable {

  /** The channel outbox-core's trigger notifies; the payload is the schema name. */
  static final String CHANNEL = "outpost_outbox";

  /** The listening session's {@code application_name}, to find it in {@code pg_stat_activity}. */
  static final String APPLICATION_NAME = "outpost-relay-listener";

  private static final Logger log = LoggerFactory.getLogger(NotificationListener.class);
  private static final int WAIT_MILLIS = 250;
  private static final Duration MAX_RECONNECT_PAUSE = Duration.ofSeconds(10);

  /** Called on the listener thread with the listening connection (usable for a quick query). */
  interface Callback {
    void notified(Connection connection) throws SQLException;
  }

  private final DataSource dataSource;
  private final String schema;
  private final Callback callback;
  private final Duration firstReconnectPause;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile boolean connected;

  NotificationListener(
      DataSource dataSource, String schema, Duration firstReconnectPause, Callback callback) {
    this.dataSource = dataSource;
    this.schema = schema;
    this.callback = callback;
    this.firstReconnectPause = firstReconnectPause;
    this.thread = new Thread(this::run, "outpost-relay-listener");
    this.thread.setDaemon(true);
  }

  void start() {
    thread.start();
  }

  boolean connected() {
    return connected;
  }

  private void run() {
    Duration pause = firstReconnectPause;
    boolean failedBefore = false;
    while (running) {
      try (Connection c = dataSource.getConnection()) {
        listen(c);
        connected = true;
        if (failedBefore) {
          log.info("Relay listener reconnected; LISTEN {} again", CHANNEL);
        }
        failedBefore = false;
        pause = firstReconnectPause;
        callback.notified(c);
        receive(c);
        unlisten(c);
      } catch (SQLException | RuntimeException e) {
        connected = false;
        if (!running) {
          return;
        }
        if (!failedBefore) {
          log.warn(
              "Relay listener connection failed ({}); polling continues, reconnecting",
              e.toString());
        }
        failedBefore = true;
        if (!sleep(pause)) {
          return;
        }
        pause = min(pause.multipliedBy(2), MAX_RECONNECT_PAUSE);
      }
    }
    connected = false;
  }

  private static void listen(Connection c) throws SQLException {
    if (!c.getAutoCommit()) {
      c.setAutoCommit(true);
    }
    try (Statement s = c.createStatement()) {
      s.execute("SET application_name = '" + APPLICATION_NAME + "'");
      s.execute("LISTEN " + CHANNEL);
    }
  }

  private void receive(Connection c) throws SQLException {
    PGConnection pg = c.unwrap(PGConnection.class);
    while (running) {
      PGNotification[] notifications = pg.getNotifications(WAIT_MILLIS);
      if (notifications == null) {
        continue;
      }
      for (PGNotification n : notifications) {
        if (schema.equals(n.getParameter())) {
          callback.notified(c);
          break;
        }
      }
    }
  }

  private static void unlisten(Connection c) {
    try (Statement s = c.createStatement()) {
      s.execute("UNLISTEN *");
      s.execute("RESET application_name");
    } catch (SQLException e) {
      log.debug("could not UNLISTEN before returning the connection", e);
    }
  }

  private boolean sleep(Duration pause) {
    try {
      TimeUnit.NANOSECONDS.sleep(pause.toNanos());
      return running;
    } catch (InterruptedException e) {
      return false;
    }
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  /** Stops listening; waits up to {@code timeout} for the thread. */
  void close(Duration timeout) throws InterruptedException {
    running = false;
    if (thread.isAlive()) {
      // A receive returns within WAIT_MILLIS on its own; interrupt only a reconnect pause, so
      // the connection goes back to the pool in a clean state.
      thread.join(Math.min(Math.max(1, timeout.toMillis()), 2L * WAIT_MILLIS));
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(Math.max(1, timeout.toMillis()));
      }
    }
    connected = false;
  }

  @Override
  public void close() {
    try {
      close(Duration.ofSeconds(2));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
