package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Statements on {@code relay_instance}: live relays heartbeat here. The statements are the same on
 * every dialect but the heartbeat's upsert. Thread-safe.
 */
public final class InstanceRepository {

  private static final String HEARTBEAT_POSTGRES =
      """
      INSERT INTO {relay_instance} (instance_id, heartbeat_at, expires_at) VALUES (?, ?, ?)
      ON CONFLICT (instance_id) DO UPDATE
        SET heartbeat_at = EXCLUDED.heartbeat_at, expires_at = EXCLUDED.expires_at
      """;

  private static final String HEARTBEAT_MYSQL =
      """
      INSERT INTO {relay_instance} (instance_id, heartbeat_at, expires_at) VALUES (?, ?, ?)
      ON DUPLICATE KEY UPDATE heartbeat_at = VALUES(heartbeat_at), expires_at = VALUES(expires_at)
      """;

  private static final String LIVE =
      "SELECT instance_id FROM {relay_instance} WHERE expires_at > ? ORDER BY instance_id";

  private static final String DELETE_EXPIRED = "DELETE FROM {relay_instance} WHERE expires_at < ?";

  private static final String REMOVE = "DELETE FROM {relay_instance} WHERE instance_id = ?";

  private final Dialect dialect;
  private final String heartbeatSql;
  private final String liveSql;
  private final String deleteExpiredSql;
  private final String removeSql;

  /** Statements for the tables of {@code schema}. */
  public InstanceRepository(OutpostSchema schema) {
    this.dialect = schema.dialect();
    this.heartbeatSql =
        schema.render(dialect == Dialect.MYSQL ? HEARTBEAT_MYSQL : HEARTBEAT_POSTGRES);
    this.liveSql = schema.render(LIVE);
    this.deleteExpiredSql = schema.render(DELETE_EXPIRED);
    this.removeSql = schema.render(REMOVE);
  }

  /** Records that {@code instanceId} is alive until {@code expiresAt}. */
  public void heartbeat(Connection c, String instanceId, Instant now, Instant expiresAt)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(heartbeatSql)) {
      s.setString(1, instanceId);
      JdbcValues.setTime(s, 2, dialect, now);
      JdbcValues.setTime(s, 3, dialect, expiresAt);
      s.executeUpdate();
    }
  }

  /** Ids of the instances whose heartbeat has not expired at {@code now}, sorted. */
  public List<String> live(Connection c, Instant now) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(liveSql)) {
      JdbcValues.setTime(s, 1, dialect, now);
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
      JdbcValues.setTime(s, 1, dialect, before);
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
