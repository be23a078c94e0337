package dev.outpost.relay.internal;

import dev.outpost.outbox.internal.HeadersJson;
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
 * The relay's statements on {@code outbox_message} (the writer's insert lives in outbox-core).
 * Every statement that changes rows is guarded by the partition's lease: it only touches rows while
 * the lease row still has the caller's owner and fencing token, and it share-locks that lease row
 * so a takeover waits until the statement's transaction ends. Thread-safe; callers pass the
 * connection.
 */
public final class RelayOutboxRepository {

  /**
   * Head window of a partition in id order. Rows never attempted are due at once ({@code
   * available_at} only schedules retries, so writers' clocks do not matter); a row is skipped while
   * an earlier row of its key backs off (served by the partial index on retried rows). Keyless rows
   * never match a key condition.
   *
   * <p>Why it is shaped like this: the uncorrelated {@code (SELECT ... LIMIT 1) IS NULL} guards run
   * once per query (InitPlans; ordered like the partial indexes so they are one index probe), so a
   * partition without retried rows (or without dead letters) skips the per-row probes entirely
   * (they would double the cost of draining a backlog). {@code OFFSET 0} keeps each correlated
   * {@code NOT EXISTS} a per-row index probe: without it the planner may turn it into an anti-join
   * or a hashed subplan that reads the whole dead-letter table (or every retried row) on each
   * claim. Ordering by {@code (partition_no, id)} (the same order under the equality) matches the
   * claim index exactly, so even the generic plan of the prepared statement reads the partition's
   * index instead of walking the primary key with a filter.
   */
  private static final String CLAIM_WINDOW =
      """
      SELECT o.id, o.message_id, o.topic, o.message_key, o.payload, o.headers::text,
             o.created_at, o.attempts
      FROM {outbox} o
      WHERE o.partition_no = ?
        AND (o.attempts = 0 OR o.available_at <= ?)
        AND ((SELECT b.id FROM {outbox} b
              WHERE b.partition_no = ? AND b.attempts > 0 AND b.message_key IS NOT NULL
              ORDER BY b.message_key, b.id LIMIT 1) IS NULL
             OR NOT EXISTS (
                    SELECT 1 FROM {outbox} r
                    WHERE r.partition_no = o.partition_no AND r.message_key = o.message_key
                      AND r.attempts > 0 AND r.id < o.id AND r.available_at > ?
                    OFFSET 0))
      %s
      ORDER BY o.partition_no, o.id
      LIMIT ?
      """;

  /** Extra condition of the head window when keys with a dead letter are parked. */
  private static final String NOT_PARKED =
      """
        AND ((SELECT e.id FROM {dead_letter} e
              WHERE e.partition_no = ? AND e.message_key IS NOT NULL
              ORDER BY e.message_key LIMIT 1) IS NULL
             OR NOT EXISTS (
                    SELECT 1 FROM {dead_letter} d
                    WHERE d.partition_no = o.partition_no AND d.message_key = o.message_key
                    OFFSET 0))
      """;

  private static final String LEASE_HELD =
      """
      EXISTS (SELECT 1 FROM {lease} l
              WHERE l.partition_no = ? AND l.owner = ? AND l.fencing_token = ?
              FOR SHARE)
      """;

  private static final String DELETE_CONFIRMED =
      """
      DELETE FROM {outbox} o
      WHERE o.id = ANY(?) AND o.partition_no = ?
        AND %s
      """;

  private static final String RESCHEDULE =
      """
      UPDATE {outbox} o
      SET attempts = o.attempts + 1, available_at = u.available_at, last_error = u.last_error
      FROM unnest(?::bigint[], ?::text[]::timestamptz[], ?::text[])
           AS u(id, available_at, last_error)
      WHERE o.id = u.id AND o.partition_no = ?
        AND %s
      """;

  private static final String MOVE_TO_DEAD_LETTER =
      """
      WITH moved AS (
        DELETE FROM {outbox} o
        USING unnest(?::bigint[], ?::int[], ?::text[]) AS u(id, attempts, last_error)
        WHERE o.id = u.id AND o.partition_no = ?
          AND %s
        RETURNING o.id, o.message_id, o.topic, o.message_key, o.partition_no, o.payload,
                  o.headers, o.created_at, u.attempts, u.last_error)
      INSERT INTO {dead_letter} (outbox_id, message_id, topic, message_key, partition_no, payload,
                                 headers, created_at, failed_at, attempts, last_error)
      SELECT id, message_id, topic, message_key, partition_no, payload, headers, created_at, ?,
             attempts, last_error
      FROM moved
      ON CONFLICT (message_id) DO UPDATE
        SET outbox_id = EXCLUDED.outbox_id, failed_at = EXCLUDED.failed_at,
            attempts = EXCLUDED.attempts, last_error = EXCLUDED.last_error
      """;

  private static final String PARTITIONS_WITH_NEW_ROWS =
      """
      SELECT p FROM unnest(?::int[]) AS p
      WHERE EXISTS (SELECT 1 FROM {outbox} o WHERE o.partition_no = p AND o.attempts = 0)
      """;

  private static final String ANY_PARTITION_AT_OR_ABOVE =
      "SELECT max(partition_no) FROM {outbox} WHERE partition_no >= ?";

  private static final String BACKLOG = "SELECT count(*) FROM {outbox}";

  private static final String OLDEST = "SELECT created_at FROM {outbox} ORDER BY id LIMIT 1";

  private static final String BACKLOG_BY_PARTITION =
      """
      SELECT partition_no, count(*), min(created_at) FROM {outbox}
      GROUP BY partition_no ORDER BY partition_no
      """;

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
  private final String backlogByPartitionSql;

  private final boolean parkKeys;

  /** Statements for the tables of {@code schema}; {@code parkKeys} holds back dead keys. */
  public RelayOutboxRepository(OutpostSchema schema, boolean parkKeys) {
    this.parkKeys = parkKeys;
    this.claimWindowSql =
        SqlText.render(CLAIM_WINDOW.formatted(parkKeys ? NOT_PARKED : ""), schema);
    this.deleteConfirmedSql = SqlText.render(DELETE_CONFIRMED.formatted(LEASE_HELD), schema);
    this.rescheduleSql = SqlText.render(RESCHEDULE.formatted(LEASE_HELD), schema);
    this.moveToDeadLetterSql = SqlText.render(MOVE_TO_DEAD_LETTER.formatted(LEASE_HELD), schema);
    this.partitionsWithNewRowsSql = SqlText.render(PARTITIONS_WITH_NEW_ROWS, schema);
    this.anyPartitionAtOrAboveSql = SqlText.render(ANY_PARTITION_AT_OR_ABOVE, schema);
    this.backlogSql = SqlText.render(BACKLOG, schema);
    this.oldestSql = SqlText.render(OLDEST, schema);
    this.backlogByPartitionSql = SqlText.render(BACKLOG_BY_PARTITION, schema);
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
