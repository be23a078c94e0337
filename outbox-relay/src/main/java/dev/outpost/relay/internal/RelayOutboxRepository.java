package dev.outpost.relay.internal;

import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.outbox.internal.OutboxMessageSql;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.PartitionBacklog;
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
  private final String claimWindowInlineSql;
  private final String deleteConfirmedSql;
  private final String rescheduleSql;
  private final String moveToDeadLetterSql;
  private final String partitionsWithNewRowsSql;
  private final String anyPartitionAtOrAboveSql;
  private final String backlogSql;
  private final String oldestSql;
  private final String backlogByPartitionSql;

  private final boolean parkKeys;

  /** Statements for the tables of {@code schema}; {@code parkKeys} holds back dead keys. */
  public RelayOutboxRepository(OutpostSchema schema, boolean parkKeys) {
    this.parkKeys = parkKeys;
    OutboxMessageSql sql = OutboxMessageSql.of(schema);
    this.claimWindowSql = sql.claimWindow(parkKeys);
    this.claimWindowInlineSql = sql.claimWindowInline(parkKeys);
    this.deleteConfirmedSql = sql.deleteConfirmed();
    this.rescheduleSql = sql.reschedule();
    this.moveToDeadLetterSql = sql.moveToDeadLetter();
    this.partitionsWithNewRowsSql = sql.partitionsWithNewRows();
    this.anyPartitionAtOrAboveSql = sql.highestPartitionAtOrAbove();
    this.backlogSql = sql.backlog();
    this.oldestSql = sql.oldestCreatedAt();
    this.backlogByPartitionSql = sql.backlogByPartition();
  }

  /** The claim statement, for plan checks. */
  String claimWindowSql() {
    return claimWindowSql;
  }

  /** The claim statement for small messages (null if the dialect has none), for plan checks. */
  String claimWindowInlineSql() {
    return claimWindowInlineSql;
  }

  /**
   * The partition's publishable head window at {@code now}: at most {@code limit} rows and, after
   * the first row, at most {@code maxBytes} payload bytes.
   *
   * <p>Usually one statement without a byte cut: it returns only payloads of at most {@code
   * maxBytes / limit} bytes, so the window it returns cannot exceed {@code maxBytes} and needs no
   * cut. Only when a longer payload comes back (as NULL) does it claim again with the byte-cut
   * statement, whose running sum over the window made every claim about twice as expensive for the
   * database. Either way the relay never holds more than about twice {@code maxBytes}.
   */
  public List<RelayMessage> claimWindow(
      Connection c, int partition, Instant now, int limit, long maxBytes) throws SQLException {
    OffsetDateTime at = at(now);
    if (claimWindowInlineSql != null) {
      List<RelayMessage> window =
          claimInline(c, partition, at, limit, Math.max(1, maxBytes / limit));
      if (window != null) {
        return window;
      }
    }
    try (PreparedStatement s = c.prepareStatement(claimWindowSql)) {
      int i = bindClaim(s, 1, partition, at, limit);
      s.setLong(i, maxBytes);
      List<RelayMessage> window = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          window.add(message(rs, partition, rs.getBytes(5)));
        }
      }
      return window;
    }
  }

  /** The window if every payload in it is at most {@code inlineMax} bytes, else null. */
  private List<RelayMessage> claimInline(
      Connection c, int partition, OffsetDateTime at, int limit, long inlineMax)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(claimWindowInlineSql)) {
      s.setLong(1, inlineMax);
      bindClaim(s, 2, partition, at, limit);
      List<RelayMessage> window = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          byte[] payload = rs.getBytes(5);
          if (payload == null) {
            return null;
          }
          window.add(message(rs, partition, payload));
        }
      }
      return window;
    }
  }

  /** Binds the claim's conditions from {@code first} on; returns the next bind index. */
  private int bindClaim(PreparedStatement s, int first, int partition, OffsetDateTime at, int limit)
      throws SQLException {
    int i = first;
    s.setInt(i++, partition);
    s.setObject(i++, at);
    s.setInt(i++, partition);
    s.setObject(i++, at);
    if (parkKeys) {
      s.setInt(i++, partition);
    }
    s.setInt(i++, limit);
    return i;
  }

  private static RelayMessage message(ResultSet rs, int partition, byte[] payload)
      throws SQLException {
    return new RelayMessage(
        rs.getLong(1),
        rs.getObject(2, UUID.class),
        rs.getString(3),
        rs.getString(4),
        partition,
        payload,
        HeadersJson.read(rs.getString(6)),
        rs.getObject(7, OffsetDateTime.class).toInstant(),
        rs.getInt(8));
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

  /** Waiting rows per partition that has any, in partition order. */
  public List<PartitionBacklog> backlogByPartition(Connection c) throws SQLException {
    List<PartitionBacklog> result = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(backlogByPartitionSql);
        ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        result.add(
            new PartitionBacklog(
                rs.getInt(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class).toInstant()));
      }
    }
    return result;
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
