package dev.outpost.relay.internal;

import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.outbox.internal.OutboxMessageSql;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.RelayMessage;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The relay's statements on {@code outbox_message}: binds and runs the statements the table's
 * owner, {@link OutboxMessageSql}, defines (the claim window with its query-plan reasoning, the
 * lease-guarded delete/reschedule/dead-letter moves). Thread-safe; callers pass the connection.
 */
public final class RelayOutboxRepository {

  /** Longest error text stored in {@code last_error}. */
  static final int MAX_ERROR_LENGTH = 4000;

  private final String claimWindowSql;
  private final String deleteConfirmedSql;
  private final String rescheduleSql;
  private final String moveToDeadLetterSql;
  private final String partitionsWithNewRowsSql;
  private final String anyPartitionAtOrAboveSql;
  private final String backlogSql;
  private final String oldestSql;

  private final boolean parkKeys;

  /** Statements for the tables of {@code schema}; {@code parkKeys} holds back dead keys. */
  public RelayOutboxRepository(OutpostSchema schema, boolean parkKeys) {
    this.parkKeys = parkKeys;
    OutboxMessageSql sql = OutboxMessageSql.of(schema);
    this.claimWindowSql = sql.claimWindow(parkKeys);
    this.deleteConfirmedSql = sql.deleteConfirmed();
    this.rescheduleSql = sql.reschedule();
    this.moveToDeadLetterSql = sql.moveToDeadLetter();
    this.partitionsWithNewRowsSql = sql.partitionsWithNewRows();
    this.anyPartitionAtOrAboveSql = sql.highestPartitionAtOrAbove();
    this.backlogSql = sql.backlog();
    this.oldestSql = sql.oldestCreatedAt();
  }

  /** The claim statement, for plan checks. */
  String claimWindowSql() {
    return claimWindowSql;
  }

  /** The partition's publishable head window at {@code now}, at most {@code limit} rows. */
  public List<RelayMessage> claimWindow(Connection c, int partition, Instant now, int limit)
      throws SQLException {
    OffsetDateTime at = at(now);
    try (PreparedStatement s = c.prepareStatement(claimWindowSql)) {
      int i = 1;
      s.setInt(i++, partition);
      s.setObject(i++, at);
      s.setInt(i++, partition);
      s.setObject(i++, at);
      if (parkKeys) {
        s.setInt(i++, partition);
      }
      s.setInt(i, limit);
      List<RelayMessage> window = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          window.add(
              new RelayMessage(
                  rs.getLong(1),
                  rs.getObject(2, UUID.class),
                  rs.getString(3),
                  rs.getString(4),
                  partition,
                  rs.getBytes(5),
                  HeadersJson.read(rs.getString(6)),
                  rs.getObject(7, OffsetDateTime.class).toInstant(),
                  rs.getInt(8)));
        }
      }
      return window;
    }
  }

  /** Deletes confirmed rows; returns how many (0 when the lease is no longer held). */
  public int deleteConfirmed(Connection c, LeaseToken lease, long[] ids) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(deleteConfirmedSql)) {
      s.setObject(1, ids);
      s.setInt(2, lease.partition());
      bindLease(s, 3, lease);
      return s.executeUpdate();
    }
  }

  /** One failed row to retry later. */
  public record Retry(long id, Instant availableAt, String error) {}

  /** Counts an attempt on each row and sets its next attempt time; returns the rows changed. */
  public int reschedule(Connection c, LeaseToken lease, List<Retry> retries) throws SQLException {
    int n = retries.size();
    long[] ids = new long[n];
    String[] times = new String[n];
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      Retry retry = retries.get(i);
      ids[i] = retry.id();
      times[i] = retry.availableAt().toString();
      errors[i] = truncate(retry.error());
    }
    try (PreparedStatement s = c.prepareStatement(rescheduleSql)) {
      s.setObject(1, ids);
      s.setArray(2, c.createArrayOf("text", times));
      s.setArray(3, c.createArrayOf("text", errors));
      s.setInt(4, lease.partition());
      bindLease(s, 5, lease);
      return s.executeUpdate();
    }
  }

  /** One row to dead-letter, with its final attempt count and error. */
  public record DeadLetterMove(long id, int attempts, String error) {}

  /** Moves rows into the dead-letter table in one statement; returns the rows moved. */
  public int moveToDeadLetter(
      Connection c, LeaseToken lease, List<DeadLetterMove> moves, Instant failedAt)
      throws SQLException {
    int n = moves.size();
    long[] ids = new long[n];
    int[] attempts = new int[n];
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      DeadLetterMove move = moves.get(i);
      ids[i] = move.id();
      attempts[i] = move.attempts();
      errors[i] = truncate(move.error());
    }
    try (PreparedStatement s = c.prepareStatement(moveToDeadLetterSql)) {
      s.setObject(1, ids);
      s.setObject(2, attempts);
      s.setArray(3, c.createArrayOf("text", errors));
      s.setInt(4, lease.partition());
      bindLease(s, 5, lease);
      s.setObject(8, at(failedAt));
      return s.executeUpdate();
    }
  }

  /** Of {@code partitions}, those holding rows never attempted (a wake-up hint, not a claim). */
  public List<Integer> partitionsWithNewRows(Connection c, int[] partitions) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(partitionsWithNewRowsSql)) {
      s.setObject(1, partitions);
      List<Integer> found = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          found.add(rs.getInt(1));
        }
      }
      return found;
    }
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
      return rs.next() ? rs.getObject(1, OffsetDateTime.class).toInstant() : null;
    }
  }

  private static void bindLease(PreparedStatement s, int first, LeaseToken lease)
      throws SQLException {
    s.setInt(first, lease.partition());
    s.setString(first + 1, lease.owner());
    s.setLong(first + 2, lease.fencingToken());
  }

  static OffsetDateTime at(Instant instant) {
    return instant.atOffset(ZoneOffset.UTC);
  }

  static String truncate(String error) {
    if (error == null) {
      return null;
    }
    // PostgreSQL text cannot hold NUL characters.
    error = error.replace('\u0000', ' ');
    if (error.length() <= MAX_ERROR_LENGTH) {
      return error;
    }
    return error.substring(0, MAX_ERROR_LENGTH - 3) + "...";
  }
}
