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
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * {@link LeaseRepository} on MySQL 8.0+ and MariaDB 10.6+. MySQL can neither update a table it
 * selects from in a subquery nor return updated rows, so acquiring and renewing are a locking read
 * and an update by primary key in one short READ COMMITTED transaction (under REPEATABLE READ the
 * locking scan of the free leases would lock every row and gap it reads). Thread-safe.
 */
final class MysqlLeaseRepository implements LeaseRepository {

  private static final int MAX_ROWS_PER_INSERT = 1000;

  private static final String INSERT_MISSING_PREFIX =
      "INSERT IGNORE INTO {relay_lease} (partition_no) VALUES ";

  private static final String LAYOUT =
      "SELECT count(*), coalesce(min(partition_no), 0), coalesce(max(partition_no), -1)"
          + " FROM {relay_lease}";

  /**
   * Free or expired partitions, locked. {@code SKIP LOCKED} passes over a lease row that its
   * current owner share-locks while it finishes a batch, and over rows another relay is taking.
   */
  private static final String PICK_FREE =
      """
      SELECT partition_no, fencing_token FROM {relay_lease}
      WHERE owner IS NULL OR expires_at < ?
      ORDER BY partition_no
      LIMIT ?
      FOR UPDATE SKIP LOCKED
      """;

  private static final String TAKE =
      """
      UPDATE {relay_lease}
      SET owner = ?, expires_at = ?, fencing_token = fencing_token + 1
      WHERE partition_no = ?
      """;

  private static final String LOCK_OWN_PREFIX =
      "SELECT partition_no, fencing_token FROM {relay_lease} WHERE owner = ? AND partition_no IN ";

  private static final String EXTEND_PREFIX =
      "UPDATE {relay_lease} SET expires_at = ? WHERE owner = ? AND partition_no IN ";

  private static final String RELEASE =
      """
      UPDATE {relay_lease}
      SET owner = NULL, expires_at = NULL
      WHERE partition_no = ? AND owner = ? AND fencing_token = ?
      """;

  private final String insertMissingPrefix;
  private final String layoutSql;
  private final String pickFreeSql;
  private final String takeSql;
  private final String lockOwnPrefix;
  private final String extendPrefix;
  private final String releaseSql;

  MysqlLeaseRepository(OutpostSchema schema) {
    this.insertMissingPrefix = schema.render(INSERT_MISSING_PREFIX);
    this.layoutSql = schema.render(LAYOUT);
    this.pickFreeSql = schema.render(PICK_FREE);
    this.takeSql = schema.render(TAKE);
    this.lockOwnPrefix = schema.render(LOCK_OWN_PREFIX);
    this.extendPrefix = schema.render(EXTEND_PREFIX);
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
    int inserted = 0;
    for (int from = 0; from < partitions; from += MAX_ROWS_PER_INSERT) {
      int to = Math.min(partitions, from + MAX_ROWS_PER_INSERT);
      StringBuilder sql = new StringBuilder(insertMissingPrefix);
      for (int p = from; p < to; p++) {
        sql.append(p == from ? "(?)" : ", (?)");
      }
      try (PreparedStatement s = c.prepareStatement(sql.toString())) {
        for (int p = from; p < to; p++) {
          s.setInt(p - from + 1, p);
        }
        inserted += s.executeUpdate();
      }
    }
    return inserted;
  }

  @Override
  public List<LeaseToken> acquire(Connection c, String owner, Instant now, Instant until, int limit)
      throws SQLException {
    return inTransaction(
        c,
        () -> {
          List<LeaseToken> taken = new ArrayList<>();
          try (PreparedStatement pick = c.prepareStatement(pickFreeSql)) {
            JdbcValues.setTime(pick, 1, Dialect.MYSQL, now);
            pick.setInt(2, limit);
            try (ResultSet rs = pick.executeQuery()) {
              while (rs.next()) {
                taken.add(new LeaseToken(rs.getInt(1), owner, rs.getLong(2) + 1));
              }
            }
          }
          if (taken.isEmpty()) {
            return taken;
          }
          try (PreparedStatement take = c.prepareStatement(takeSql)) {
            for (LeaseToken lease : taken) {
              take.setString(1, owner);
              JdbcValues.setTime(take, 2, Dialect.MYSQL, until);
              take.setInt(3, lease.partition());
              take.addBatch();
            }
            take.executeBatch();
          }
          return taken;
        });
  }

  @Override
  public Set<Integer> renew(Connection c, String owner, List<LeaseToken> held, Instant until)
      throws SQLException {
    if (held.isEmpty()) {
      return new HashSet<>();
    }
    String in = inList(held.size());
    return inTransaction(
        c,
        () -> {
          Set<Integer> renewed = new HashSet<>();
          try (PreparedStatement lock = c.prepareStatement(lockOwnPrefix + in + " FOR UPDATE")) {
            lock.setString(1, owner);
            for (int i = 0; i < held.size(); i++) {
              lock.setInt(i + 2, held.get(i).partition());
            }
            try (ResultSet rs = lock.executeQuery()) {
              while (rs.next()) {
                int partition = rs.getInt(1);
                long token = rs.getLong(2);
                for (LeaseToken lease : held) {
                  if (lease.partition() == partition && lease.fencingToken() == token) {
                    renewed.add(partition);
                  }
                }
              }
            }
          }
          if (renewed.isEmpty()) {
            return renewed;
          }
          try (PreparedStatement extend =
              c.prepareStatement(extendPrefix + inList(renewed.size()))) {
            JdbcValues.setTime(extend, 1, Dialect.MYSQL, until);
            extend.setString(2, owner);
            int i = 3;
            for (int partition : renewed) {
              extend.setInt(i++, partition);
            }
            extend.executeUpdate();
          }
          return renewed;
        });
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

  private interface Work<T> {
    T run() throws SQLException;
  }

  /**
   * Runs {@code work} in one READ COMMITTED transaction on {@code c}, then restores auto-commit.
   */
  private static <T> T inTransaction(Connection c, Work<T> work) throws SQLException {
    boolean autoCommit = c.getAutoCommit();
    if (autoCommit) {
      c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
      c.setAutoCommit(false);
    }
    try {
      T result = work.run();
      c.commit();
      return result;
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      if (autoCommit) {
        c.setAutoCommit(true);
      }
    }
  }

  private static String inList(int n) {
    StringBuilder in = new StringBuilder(3 * n + 1).append('(');
    for (int i = 0; i < n; i++) {
      in.append(i == 0 ? "?" : ", ?");
    }
    return in.append(')').toString();
  }
}
