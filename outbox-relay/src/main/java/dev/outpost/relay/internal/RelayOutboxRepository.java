package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.outbox.internal.OutboxMessageSql;
import dev.outpost.outbox.internal.OutboxMessageSql.ClaimedRow;
import dev.outpost.outbox.internal.OutboxMessageSql.DeadLetterMove;
import dev.outpost.outbox.internal.OutboxMessageSql.Fence;
import dev.outpost.outbox.internal.OutboxMessageSql.Retry;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.PartitionBacklog;
import dev.outpost.relay.RelayMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay's statements on {@code outbox_message}, run through the table's owner, {@link
 * OutboxMessageSql}, which holds each dialect's statements and binds them (the claim window with
 * its query-plan reasoning, the lease-fenced delete/reschedule/dead-letter moves). Thread-safe;
 * callers pass the connection.
 */
public final class RelayOutboxRepository {

  private final OutboxMessageSql sql;
  private final Dialect dialect;
  private final String anyPartitionAtOrAboveSql;
  private final String backlogSql;
  private final String oldestSql;
  private final String backlogByPartitionSql;

  private final boolean parkKeys;

  /** Statements for the tables of {@code schema}; {@code parkKeys} holds back dead keys. */
  public RelayOutboxRepository(OutpostSchema schema, boolean parkKeys) {
    this.parkKeys = parkKeys;
    this.dialect = schema.dialect();
    this.sql = OutboxMessageSql.of(schema);
    this.anyPartitionAtOrAboveSql = sql.highestPartitionAtOrAbove();
    this.backlogSql = sql.backlog();
    this.oldestSql = sql.oldestCreatedAt();
    this.backlogByPartitionSql = sql.backlogByPartition();
  }

  /** The claim statement, for plan checks. */
  String claimWindowSql() {
    return sql.claimWindowSql(parkKeys);
  }

  /** The database the statements are written for. */
  Dialect dialect() {
    return dialect;
  }

  /** The claim statement for small messages (null if the dialect has none), for plan checks. */
  String claimWindowInlineSql() {
    return sql.claimWindowInlineSql(parkKeys);
  }

  /**
   * The partition's publishable head window at {@code now}: at most {@code limit} rows and, after
   * the first row, at most {@code maxBytes} payload bytes.
   *
   * <p>On PostgreSQL usually one statement without a byte cut: it returns only payloads of at most
   * {@code maxBytes / limit} bytes, so the window it returns cannot exceed {@code maxBytes} and
   * needs no cut. Only when a longer payload comes back (as NULL) does it claim again with the
   * byte-cut statement, whose running sum over the window made every claim about twice as expensive
   * for the database. Either way the relay never holds more than about twice {@code maxBytes}.
   */
  public List<RelayMessage> claimWindow(
      Connection c, int partition, Instant now, int limit, long maxBytes) throws SQLException {
    List<ClaimedRow> rows = sql.claimWindow(c, parkKeys, partition, now, limit, maxBytes);
    List<RelayMessage> window = new ArrayList<>(rows.size());
    for (ClaimedRow row : rows) {
      window.add(
          new RelayMessage(
              row.id(),
              row.messageId(),
              row.topic(),
              row.key(),
              partition,
              row.payload(),
              HeadersJson.read(row.headers()),
              row.createdAt(),
              row.attempts()));
    }
    return window;
  }

  /** Deletes confirmed rows; returns how many (0 when the lease is no longer held). */
  public int deleteConfirmed(Connection c, LeaseToken lease, long[] ids) throws SQLException {
    return sql.deleteConfirmed(c, fence(lease), ids);
  }

  /** Counts an attempt on each row and sets its next attempt time; returns the rows changed. */
  public int reschedule(Connection c, LeaseToken lease, List<Retry> retries) throws SQLException {
    return sql.reschedule(c, fence(lease), retries);
  }

  /** Moves rows into the dead-letter table; returns the rows moved. */
  public int moveToDeadLetter(
      Connection c, LeaseToken lease, List<DeadLetterMove> moves, Instant failedAt)
      throws SQLException {
    return sql.moveToDeadLetter(c, fence(lease), moves, failedAt);
  }

  /** Of {@code partitions}, those holding rows never attempted (a wake-up hint, not a claim). */
  public List<Integer> partitionsWithNewRows(Connection c, int[] partitions) throws SQLException {
    return sql.partitionsWithNewRows(c, partitions);
  }

  /** The highest partition number at or above {@code partitions} in use, or -1 if none. */
  public int highestPartitionAtOrAbove(Connection c, int partitions) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(anyPartitionAtOrAboveSql)) {
      s.setInt(1, partitions);
      try (ResultSet rs = s.executeQuery()) {
        rs.next();
        int max = rs.getInt(1);
        return rs.wasNull() ? -1 : max;
      }
    }
  }

  /** Rows waiting in the outbox (all partitions). */
  public long backlog(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(backlogSql);
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** Creation time of the oldest waiting row, or null when the outbox is empty. */
  public Instant oldestCreatedAt(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(oldestSql);
        ResultSet rs = s.executeQuery()) {
      return rs.next() ? JdbcValues.getTime(rs, 1, dialect).toInstant() : null;
    }
  }

  /** Waiting rows per partition that has any, in partition order. */
  public List<PartitionBacklog> backlogByPartition(Connection c) throws SQLException {
    List<PartitionBacklog> result = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(backlogByPartitionSql);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        OffsetDateTime oldest = JdbcValues.getTime(rs, 3, dialect);
        result.add(new PartitionBacklog(rs.getInt(1), rs.getLong(2), oldest.toInstant()));
      }
    }
    return result;
  }

  private static Fence fence(LeaseToken lease) {
    return new Fence(lease.partition(), lease.owner(), lease.fencingToken());
  }
}
