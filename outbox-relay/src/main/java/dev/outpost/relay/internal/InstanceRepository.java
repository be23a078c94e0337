package dev.outpost.relay.internal;

import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Statements on {@code relay_instance}: live relays heartbeat here. Thread-safe. */
public final class InstanceRepository {

  private static final String HEARTBEAT =
      """
      INSERT INTO {relay_instance} (instance_id, heartbeat_at, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (instance_id) DO UPDATE
        SET heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at
      """;

  private static final String LIVE =
      "SELECT instance_id FROM {relay_instance} WHERE expires_at > ? ORDER BY instance_id";

  private static final String DELETE_EXPIRED = "DELETE FROM {relay_instance} WHERE expires_at < ?";

  private static final String REMOVE = "DELETE FROM {relay_instance} WHERE instance_id = ?";

  private final String heartbeatSql;
  private final String liveSql;
  private final String deleteExpiredSql;
  private final String removeSql;

  /** Statements for the tables of {@code schema}. */
  public InstanceRepository(OutpostSchema schema) {
    this.heartbeatSql = schema.render(HEARTBEAT);
    this.liveSql = schema.render(LIVE);
    this.deleteExpiredSql = schema.render(DELETE_EXPIRED);
    this.removeSql = schema.render(REMOVE);
  }

  /** Records that {@code instanceId} is alive until {@code expiresAt}. */
  public void heartbeat(Connection c, String instanceId, Instant now, Instant expiresAt)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(heartbeatSql)) {
      s.setString(1, instanceId);
      s.setObject(2, RelayOutboxRepository.at(now));
      s.setObject(3, RelayOutboxRepository.at(expiresAt));
      s.executeUpdate();
    }
  }

  /** Ids of the instances whose heartbeat has not expired at {@code now}, sorted. */
  public List<String> live(Connection c, Instant now) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(liveSql)) {
      s.setObject(1, RelayOutboxRepository.at(now));
      List<String> ids = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          ids.add(rs.getString(1));
        }
      }
      return ids;
    }
  }

  /** Forgets instances that stopped heartbeating before {@code before}. */
  public int deleteExpired(Connection c, Instant before) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(deleteExpiredSql)) {
      s.setObject(1, RelayOutboxRepository.at(before));
      return s.executeUpdate();
    }
  }

  /** Removes {@code instanceId} (graceful shutdown), so the others rebalance at once. */
  public void remove(Connection c, String instanceId) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(removeSql)) {
      s.setString(1, instanceId);
      s.executeUpdate();
    }
  }
}
