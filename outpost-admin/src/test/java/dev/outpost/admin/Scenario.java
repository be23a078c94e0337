package dev.outpost.admin;

import static org.awaitility.Awaitility.await;

import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.InProcessPublisher;
import dev.outpost.relay.MessageRejectedException;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayMessage;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Real dead letters: messages written through the outbox writer, published by a real relay whose
 * in-process handler rejects every payload starting with "bad" while {@link #rejecting} is on, on
 * PostgreSQL and MySQL/MariaDB alike. Records what it delivered per key, in order.
 */
final class Scenario {

  final TestDatabase db;
  volatile boolean rejecting = true;
  final Map<String, List<String>> delivered = new ConcurrentHashMap<>();
  final List<String> deliveredKeyless = Collections.synchronizedList(new ArrayList<>());

  Scenario(TestDatabase db) {
    this.db = db;
    db.execute("DELETE FROM outpost_admin_audit");
  }

  /** Writes the standard set and lets the relay dead-letter the bad ones. */
  void produceDeadLetters() {
    send("orders", "o1", "bad o1-1", "o1-2");
    send("orders", "o2", "bad o2-1", "o2-2");
    send("orders", "o3", "bad o3-1", "o3-2", "o3-3");
    send("payments", "p1", "bad-large p1-1");
    send("payments", null, "bad-large keyless");
    send("audit", "a1", "a1-1", "a1-2");
    drain();
  }

  void send(String topic, String key, String... payloads) {
    List<OutboxMessage> messages = new ArrayList<>();
    for (String p : payloads) {
      OutboxMessage.Builder b = OutboxMessage.to(topic).payload(p);
      if (key != null) {
        b.key(key);
      }
      messages.add(b.build());
    }
    try (Connection c = db.dataSource().getConnection()) {
      c.setAutoCommit(false);
      Outbox.builder().build().sendAll(c, messages);
      c.commit();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Two dead letters of key w1 (a relay that does not park keys publishes w1-3 past them), for the
   * whole-key replay rule.
   */
  void produceTwoDeadLettersOfOneKey() {
    send("orders", "w1", "bad w1-1", "bad w1-2", "w1-3");
    drain(false);
  }

  /** Runs the relay until nothing publishable is left (parked messages stay). */
  void drain() {
    drain(true);
  }

  void drain(boolean parkKeys) {
    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher())
            .parkKeyOnDeadLetter(parkKeys)
            .listen(false)
            .build()) {
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  relay.runOnce() == 0
                      && relay.runOnce() == 0
                      && (parkKeys ? publishable() : count("SELECT count(*) FROM outbox_message"))
                          == 0);
    }
  }

  /** A started relay (its own threads) with this scenario's publisher; the caller closes it. */
  Relay startRelay(javax.sql.DataSource pool) {
    Relay relay =
        Relay.builder().dataSource(pool).publisher(publisher()).instanceId("relay-a").build();
    relay.start();
    return relay;
  }

  /** Outbox rows whose key has no dead letter (what a parking relay would still publish). */
  long publishable() {
    return db.queryLong(
        "SELECT count(*) FROM outbox_message o WHERE NOT EXISTS (SELECT 1 FROM"
            + " outbox_dead_letter d WHERE d.partition_no = o.partition_no AND d.message_key ="
            + " o.message_key)");
  }

  long count(String sql) {
    return db.queryLong(sql);
  }

  private InProcessPublisher publisher() {
    return InProcessPublisher.builder().fallback(this::handle).build();
  }

  private void handle(RelayMessage m) throws MessageRejectedException {
    String topic = m.topic();
    String key = m.key();
    String payload = new String(m.payload(), StandardCharsets.UTF_8);
    if (rejecting && payload.startsWith("bad")) {
      throw new MessageRejectedException(
          payload.startsWith("bad-large")
              ? "payload too large for " + topic
              : "schema mismatch: field 'amount' missing");
    }
    if (key == null) {
      deliveredKeyless.add(payload);
    } else {
      delivered
          .computeIfAbsent(key, k -> Collections.synchronizedList(new ArrayList<>()))
          .add(payload);
    }
  }

  /** A delayed message of topic order-timeout, due at {@code deliverAt}. */
  void delay(String key, String cancelKey, Instant deliverAt) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s =
            c.prepareStatement(
                "INSERT INTO delayed_message (message_id, topic, message_key, partition_no,"
                    + " payload, headers, created_at, deliver_at, cancel_key) VALUES (?,"
                    + " 'order-timeout', ?, 0, ?, '{}', ?, ?, ?)")) {
      JdbcValues.setUuid(s, 1, db.dialect(), UUID.randomUUID());
      s.setString(2, key);
      s.setBytes(3, "p".getBytes(StandardCharsets.UTF_8));
      JdbcValues.setTime(s, 4, db.dialect(), Instant.now());
      JdbcValues.setTime(s, 5, db.dialect(), deliverAt);
      s.setString(6, cancelKey);
      s.executeUpdate();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }
}
