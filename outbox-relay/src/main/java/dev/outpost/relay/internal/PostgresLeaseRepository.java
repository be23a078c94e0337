package dev.outpost.relay.internal;

import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** {@link LeaseRepository} on PostgreSQL: one statement per method. Thread-safe. */
final class PostgresLeaseRepository implements LeaseRepository {

  private static final String INSERT_MISSING =
      """
      INSERT INTO {relay_lease} (partition_no)
      SELECT generate_series(0, ? - 1)
      ON CONFLICT (partition_no) DO NOTHING
      """;

  private static final String LAYOUT =
      "SELECT count(*), coalesce(min(partition_no), 0), coalesce(max(partition_no), -1)"
          + " FROM {relay_lease}";

  /**
   * Takes free or expired partitions. {@code SKIP LOCKED} passes over a lease row that its current
   * owner share-locks while it finishes a batch; the outer condition is re-checked on the locked
   * row version, so two relays can never both take one partition.
   */
  private static final String ACQUIRE =
      """
      UPDATE {relay_lease} l
      SET owner = ?, expires_at = ?, fencing_token = l.fencing_token + 1
      WHERE l.partition_no IN (
              SELECT f.partition_no FROM {relay_lease} f
              WHERE f.owner IS NULL OR f.expires_at < ?
              ORDER BY f.partition_no
              LIMIT ?
              FOR UPDATE SKIP LOCKED)
        AND (l.owner IS NULL OR l.expires_at < ?)
      RETURNING l.partition_no, l.fencing_token
      """;

  private static final String RENEW =
      """
      UPDATE {relay_lease} l
      SET expires_at = ?
      FROM unnest(?::int[], ?::bigint[]) AS h(partition_no, fencing_token)
      WHERE l.partition_no = h.partition_no AND l.fencing_token = h.fencing_token
        AND l.owner = ?
      RETURNING l.partition_no
      """;

  private static final String RELEASE =
      """
      UPDATE {relay_lease}
      SET owner = NULL, expires_at = NULL
      WHERE partition_no = ? AND owner = ? AND fencing_token = ?
      """;

  private final String insertMissingSql;
  private final String layoutSql;
  private final String acquireSql;
  private final String renewSql;
  private final String releaseSql;

  PostgresLeaseRepository(OutpostSchema schema) {
    this.insertMissingSql = schema.render(INSERT_MISSING);
    this.layoutSql = schema.render(LAYOUT);
    this.acquireSql = schema.render(ACQUIRE);
    this.renewSql = schema.render(RENEW);
    this.releaseSql = schema.render(RELEASE);
  }

  @Override
  public Layout layout(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(layoutSql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return new Layout(rs.getLong(1), rs.getInt(2), rs.getInt(3));
    }
  }

  @Override
  public int insertMissing(Connection c, int partitions) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(insertMissingSql)) {
      s.setInt(1, partitions);
      return s.executeUpdate();
    }
  }

  @Override
  public List<LeaseToken> acquire(Connection c, String owner, Instant now, Instant until, int limit)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(acquireSql)) {
      s.setString(1, owner);
      s.setObject(2, at(until));
      s.setObject(3, at(now));
      s.setInt(4, limit);
      s.setObject(5, at(now));
      List<LeaseToken> acquired = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          acquired.add(new LeaseToken(rs.getInt(1), owner, rs.getLong(2)));
        }
      }
      return acquired;
    }
  }

  @Override
  public Set<Integer> renew(Connection c, String owner, List<LeaseToken> held, Instant until)
      throws SQLException {
    int[] partitions = new int[held.size()];
    long[] tokens = new long[held.size()];
    for (int i = 0; i < partitions.length; i++) {
      partitions[i] = held.get(i).partition();
      tokens[i] = held.get(i).fencingToken();
    }
    try (PreparedStatement s = c.prepareStatement(renewSql)) {
      s.setObject(1, at(until));
      s.setObject(2, partitions);
      s.setObject(3, tokens);
      s.setString(4, owner);
      Set<Integer> renewed = new HashSet<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          renewed.add(rs.getInt(1));
        }
      }
      return renewed;
    }
  }

  @Override
  public boolean release(Connection c, LeaseToken lease) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(releaseSql)) {
      s.setInt(1, lease.partition());
      s.setString(2, lease.owner());
      s.setLong(3, lease.fencingToken());
      return s.executeUpdate() == 1;
    }
  }

  private static java.time.OffsetDateTime at(Instant instant) {
    return instant.atOffset(java.time.ZoneOffset.UTC);
  }
}
