package dev.outpost.relay;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/** Writes test messages through the real outbox writer, each batch in one transaction. */
final class Messages {

  private final DataSource dataSource;
  private final Outbox outbox;

  Messages(DataSource dataSource) {
    this(dataSource, Outbox.builder().build());
  }

  Messages(DataSource dataSource, Outbox outbox) {
    this.dataSource = dataSource;
    this.outbox = outbox;
  }

  /** One message per transaction. */
  UUID send(String topic, String key, String payload) {
    return sendAll(List.of(message(topic, key, payload))).get(0);
  }

  /**
   * {@code count} messages over {@code keys} keys ("k0".."k{keys-1}", round-robin), payload =
   * sequence number.
   */
  List<UUID> sendSpread(String topic, int count, int keys) {
    List<UUID> ids = new ArrayList<>(count);
    List<OutboxMessage> chunk = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      chunk.add(message(topic, "k" + (i % keys), Integer.toString(i)));
      if (chunk.size() == 1000) {
        ids.addAll(sendAll(chunk));
        chunk.clear();
      }
    }
    if (!chunk.isEmpty()) {
      ids.addAll(sendAll(chunk));
    }
    return ids;
  }

  List<UUID> sendAll(List<OutboxMessage> messages) {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      List<UUID> ids = outbox.sendAll(c, messages);
      c.commit();
      return ids;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  static OutboxMessage message(String topic, String key, String payload) {
    return OutboxMessage.to(topic)
        .key(key)
        .payload(payload.getBytes(StandardCharsets.UTF_8))
        .build();
  }

  static String payload(RelayMessage message) {
    return new String(message.payload(), StandardCharsets.UTF_8);
  }
}
