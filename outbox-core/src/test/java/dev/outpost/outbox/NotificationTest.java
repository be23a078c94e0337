package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * A relay listening on {@code outpost_outbox} gets exactly one notification per committed
 * transaction that wrote messages, and none for a rolled-back one. "None" is proven without
 * waiting: a marker notification committed afterwards must be the next thing to arrive.
 */
@PostgresOnly // LISTEN/NOTIFY
@ExtendWith(OutpostDatabaseExtension.class)
class NotificationTest {

  private static final String CHANNEL = "outpost_outbox";
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  private TestDatabase db;
  private DSLContext dsl;
  private Outbox outbox;
  private Connection listener;

  @BeforeEach
  void setUp(TestDatabase db) throws SQLException {
    this.db = db;
    dsl = DSL.using(db.dataSource(), OutboxRows.jooqDialect(db));
    outbox = Outbox.builder().schema(db.schema()).build();
    listener = DriverManager.getConnection(db.jdbcUrl(), db.user(), db.password());
    try (Statement statement = listener.createStatement()) {
      statement.execute("LISTEN " + CHANNEL);
    }
  }

  @AfterEach
  void closeListener() throws SQLException {
    listener.close();
  }

  @Test
  void notifies_once_per_committed_transaction_however_many_messages_it_wrote()
      throws SQLException {
    dsl.transaction(
        tx -> {
          for (int i = 0; i < 5; i++) {
            outbox.send(tx.dsl(), message());
          }
          outbox.sendAll(tx.dsl(), List.of(message(), message(), message()));
        });
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.send(connection, message());
      outbox.sendAll(connection, List.of(message(), message()));
      outbox.send(connection, message());
      connection.commit();
      connection.setAutoCommit(true);
    }

    String marker = sendMarker();

    assertThat(receiveUntil(marker)).containsExactly(db.schema(), db.schema(), marker);
    assertThat(OutboxRows.count(db)).isEqualTo(12);
  }

  @Test
  void does_not_notify_for_a_rolled_back_transaction() throws SQLException {
    assertThatThrownBy(
            () ->
                dsl.transaction(
                    tx -> {
                      outbox.send(tx.dsl(), message());
                      outbox.sendAll(tx.dsl(), List.of(message(), message()));
                      throw new IllegalStateException("payment declined");
                    }))
        .hasMessageContaining("payment declined");
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.send(connection, message());
      connection.rollback();
      connection.setAutoCommit(true);
    }

    String marker = sendMarker();

    assertThat(receiveUntil(marker)).containsExactly(marker);
    assertThat(OutboxRows.count(db)).isZero();
  }

  @Test
  void notifies_only_when_the_transaction_commits() throws SQLException {
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.send(connection, message());

      String beforeCommit = sendMarker();
      assertThat(receiveUntil(beforeCommit)).containsExactly(beforeCommit);

      connection.commit();
      connection.setAutoCommit(true);
    }
    String afterCommit = sendMarker();

    assertThat(receiveUntil(afterCommit)).containsExactly(db.schema(), afterCommit);
  }

  private static OutboxMessage message() {
    return OutboxMessage.to("orders").key("k").payload("x").build();
  }

  /** Commits a notification of its own on the outbox channel and returns its payload. */
  private String sendMarker() throws SQLException {
    String marker = "marker-" + UUID.randomUUID();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement()) {
      statement.execute("SELECT pg_notify('" + CHANNEL + "', '" + marker + "')");
    }
    return marker;
  }

  /** The payloads received on the channel, in order, up to and including {@code marker}. */
  private List<String> receiveUntil(String marker) throws SQLException {
    PGConnection pg = listener.unwrap(PGConnection.class);
    List<String> payloads = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      PGNotification[] notifications = pg.getNotifications(1000);
      for (PGNotification notification :
          notifications == null ? new PGNotification[0] : notifications) {
        if (notification.getName().equals(CHANNEL)) {
          payloads.add(notification.getParameter());
          if (notification.getParameter().equals(marker)) {
            return payloads;
          }
        }
      }
    }
    throw new AssertionError(
        "marker " + marker + " did not arrive within " + TIMEOUT + "; got " + payloads);
  }
}
