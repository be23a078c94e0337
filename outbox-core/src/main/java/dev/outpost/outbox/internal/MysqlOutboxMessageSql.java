package dev.outpost.outbox.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * Every statement on {@code outbox_message} for MySQL 8.0+ and MariaDB 10.6+. Message ids are
 * {@code BINARY(16)} (bound as 16 big-endian bytes), times {@code DATETIME(6)} in UTC, headers
 * {@code LONGTEXT} holding JSON. Immutable and thread-safe.
 *
 * <p>MySQL has no array binds and no {@code RETURNING} on {@code UPDATE}, so the relay's writes are
 * a few primary-key statements in the caller's transaction instead of PostgreSQL's one statement:
 * first a share lock on the lease row (the fence: nothing is changed unless the lease still has the
 * caller's owner and token, and a takeover waits until the transaction ends), then {@code IN (?, ?,
 * ...)} lists expanded to the batch's size. Every statement finds its rows by primary key (or the
 * lease's primary key), so under READ COMMITTED it takes record locks only, no gap locks. The delay
 * scheduler's move ({@link #moveDueFromDelayed}) is one {@code INSERT … SELECT} of rows the
 * scheduler has already locked by primary key.
 */
final class MysqlOutboxMessageSql implements OutboxMessageSql {

  /** Most ids in one expanded {@code IN} list. */
  static final int MAX_IDS_PER_STATEMENT = 1000;

  private static final String INSERT_PREFIX =
      "insert into {outbox_message} (message_id, topic, message_key, partition_no, payload,"
          + " headers, created_at, available_at) values ";

  private static final String INSERT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";

  /**
   * Head window of a partition in id order, cut at a byte limit. The inner query walks the claim
   * index {@code (partition_no, id)}; a row is skipped while an earlier row of its key backs off
   * (one probe of {@code (partition_no, message_key, id)} per row). Only ids and payload sizes go
   * through the derived tables (no BLOB in a temporary table); the rows are then read by primary
   * key. Keyless rows never match a key condition.
   */
  private static final String CLAIM_WINDOW =
      """
      SELECT o.id, o.message_id, o.topic, o.message_key, o.payload, o.headers, o.created_at,
             o.attempts
      FROM (SELECT w.id, w.payload_size, sum(w.payload_size) OVER (ORDER BY w.id) AS running_size
            FROM (SELECT h.id, length(h.payload) AS payload_size
                  FROM {outbox_message} h
                  WHERE h.partition_no = ?
                    AND (h.attempts = 0 OR h.available_at <= ?)
                    AND NOT EXISTS (
                          SELECT 1 FROM {outbox_message} r
                          WHERE r.partition_no = h.partition_no AND r.message_key = h.message_key
                            AND r.id < h.id AND r.attempts > 0 AND r.available_at > ?)
                    %s
                  ORDER BY h.partition_no, h.id
                  LIMIT ?) w) x
      JOIN {outbox_message} o ON o.id = x.id
      WHERE x.running_size - x.payload_size < ?
      ORDER BY x.id
      """;

  /**
   * The claim's fast path: the partition's first rows by the claim index, as the raw loop reads
   * them, without the per-row probes of {@link #CLAIM_WINDOW}. Each row says whether it is backing
   * off (column 9) and, when keys are parked, whether its key has a dead letter (column 10); a
   * payload longer than the first bind comes back NULL. The window is exact when no row is backing
   * off or parked and no payload is NULL: every earlier row of a row's key is then in the window
   * too (the rows are the partition's head in id order), so nothing holds any row back, and the
   * payloads add up to at most {@code limit} times the first bind. Otherwise the relay runs {@link
   * #CLAIM_WINDOW}. %s: the parked column or nothing.
   */
  private static final String CLAIM_HEAD =
      """
      SELECT h.id, h.message_id, h.topic, h.message_key,
             CASE WHEN length(h.payload) <= ? THEN h.payload END AS payload, h.headers,
             h.created_at, h.attempts, h.attempts > 0 AND h.available_at > ? AS backing_off%s
      FROM {outbox_message} h
      WHERE h.partition_no = ?
      ORDER BY h.partition_no, h.id
      LIMIT ?
      """;

  /** The fast path's parked column: one probe of the dead-letter key index per row. */
  private static final String HEAD_PARKED =
      """
      ,
             EXISTS (SELECT 1 FROM {outbox_dead_letter} d
                     WHERE d.partition_no = h.partition_no AND d.message_key = h.message_key)
               AS parked""";

  /**
   * Extra condition of the head window when keys with a dead letter are parked: one probe of the
   * dead-letter key index per row. The always-true {@code h.id > 0} keeps MariaDB from turning the
   * {@code NOT EXISTS} into a {@code NOT IN} that materializes every dead letter's key on each
   * claim.
   */
  private static final String NOT_PARKED =
      """
      AND NOT EXISTS (
                          SELECT 1 FROM {outbox_dead_letter} d
                          WHERE d.partition_no = h.partition_no AND d.message_key = h.message_key
                            AND h.id > 0)
      """;

  /**
   * The fence. A locking read of one lease row by primary key: a record lock, held until the
   * caller's transaction ends, which the lease takeover's {@code FOR UPDATE SKIP LOCKED} passes
   * over. {@code LOCK IN SHARE MODE} because MariaDB has no {@code FOR SHARE}.
   */
  private static final String LEASE_HELD =
      """
      SELECT 1 FROM {relay_lease}
      WHERE partition_no = ? AND owner = ? AND fencing_token = ?
      LOCK IN SHARE MODE
      """;

  private static final String DELETE_PREFIX =
      "DELETE FROM {outbox_message} WHERE partition_no = ? AND id IN ";

  private static final String RESCHEDULE =
      """
      UPDATE {outbox_message}
      SET attempts = attempts + 1, available_at = ?, last_error = ?
      WHERE id = ? AND partition_no = ?
      """;

  /** Copies one row; a dead letter of the same message id is overwritten. */
  private static final String COPY_TO_DEAD_LETTER =
      """
      INSERT INTO {outbox_dead_letter} (outbox_id, message_id, topic, message_key, partition_no,
                                        payload, headers, created_at, failed_at, attempts,
                                        last_error)
      SELECT o.id, o.message_id, o.topic, o.message_key, o.partition_no, o.payload, o.headers,
             o.created_at, ?, ?, ?
      FROM {outbox_message} o
      WHERE o.id = ? AND o.partition_no = ?
      ON DUPLICATE KEY UPDATE outbox_id = VALUES(outbox_id), failed_at = VALUES(failed_at),
                              attempts = VALUES(attempts), last_error = VALUES(last_error)
      """;

  private static final String HAS_NEW_ROWS =
      "SELECT 1 FROM {outbox_message} WHERE partition_no = ? AND attempts = 0 LIMIT 1";

  private static final String ANY_PARTITION_AT_OR_ABOVE =
      "SELECT max(partition_no) FROM {outbox_message} WHERE partition_no >= ?";

  private static final String BACKLOG = "SELECT count(*) FROM {outbox_message}";

  private static final String OLDEST =
      "SELECT created_at FROM {outbox_message} ORDER BY id LIMIT 1";

  private static final String BACKLOG_BY_PARTITION =
      """
      SELECT partition_no, count(*), min(created_at) FROM {outbox_message}
      GROUP BY partition_no ORDER BY partition_no
      """;

  /** Replay, step 1: lock the chosen dead letters. jOOQ part {0}: the filter. */
  private static final String REPLAY_PICK =
      "SELECT id FROM {outbox_dead_letter} WHERE {0} ORDER BY id FOR UPDATE";

  /**
   * Replay, step 2: the rows go back with their old outbox ids (AUTO_INCREMENT values are not
   * reused, so the id is free, and an explicit lower id does not move the counter). A row whose
   * message id or outbox id is taken is skipped (IGNORE: the values come from a table of the same
   * column types, so nothing else can be ignored) and stays a dead letter.
   */
  private static final String REPLAY_INSERT_PREFIX =
      """
      INSERT IGNORE INTO {outbox_message} (id, message_id, topic, message_key, partition_no,
                                           payload, headers, created_at, available_at, attempts)
      SELECT d.outbox_id, d.message_id, d.topic, d.message_key, d.partition_no, d.payload,
             d.headers, d.created_at, ?, 0
      FROM {outbox_dead_letter} d
      WHERE d.id IN %s
      ORDER BY d.outbox_id
      """;

  /** Replay, step 3: removes the dead letters that went back (same outbox id and message id). */
  private static final String REPLAY_DELETE_PREFIX =
      """
      DELETE d FROM {outbox_dead_letter} d
      JOIN {outbox_message} o ON o.id = d.outbox_id AND o.message_id = d.message_id
      WHERE d.id IN %s
      """;

  // MySQL has no DELETE … RETURNING: the delay scheduler locks a batch of due rows (SELECT … FOR
  // UPDATE SKIP LOCKED), copies them with this statement and deletes them, in one transaction. %s
  // is the locked ids' placeholder list (a range scan of the primary key); ORDER BY hands out the
  // outbox ids in due order. %s after it is empty on the fast path; the NOT EXISTS variant drops
  // rows whose message id is already in the outbox (a consistent read at READ COMMITTED).
  private static final String MOVE_DUE_FROM_DELAYED =
      """
      INSERT INTO {outbox_message} (message_id, topic, message_key, partition_no, payload, headers,
                        created_at, available_at)
      SELECT d.message_id, d.topic, d.message_key, d.partition_no, d.payload, d.headers,
             d.created_at, d.deliver_at
      FROM {delayed_message} d
      WHERE d.id IN (%%s)%s
      ORDER BY d.deliver_at, d.id
      """;

  private static final String NOT_IN_OUTBOX =
      "\n  AND NOT EXISTS (SELECT 1 FROM {outbox_message} o WHERE o.message_id = d.message_id)";

  private final String insertPrefix;
  private final String moveDue;
  private final String moveDueSkippingDuplicates;
  private final String claimWindow;
  private final String claimWindowParked;
  private final String claimHead;
  private final String claimHeadParked;
  private final String leaseHeld;
  private final String deletePrefix;
  private final String reschedule;
  private final String copyToDeadLetter;
  private final String hasNewRows;
  private final String highestPartitionAtOrAbove;
  private final String backlog;
  private final String oldestCreatedAt;
  private final String backlogByPartition;
  private final String replayPick;
  private final String replayInsert;
  private final String replayDelete;

  MysqlOutboxMessageSql(OutpostSchema schema) {
    this.insertPrefix = schema.render(INSERT_PREFIX);
    this.claimWindow = schema.render(CLAIM_WINDOW.formatted(""));
    this.claimWindowParked = schema.render(CLAIM_WINDOW.formatted(NOT_PARKED));
    this.claimHead = schema.render(CLAIM_HEAD.formatted(""));
    this.claimHeadParked = schema.render(CLAIM_HEAD.formatted(HEAD_PARKED));
    this.leaseHeld = schema.render(LEASE_HELD);
    this.deletePrefix = schema.render(DELETE_PREFIX);
    this.reschedule = schema.render(RESCHEDULE);
    this.copyToDeadLetter = schema.render(COPY_TO_DEAD_LETTER);
    this.hasNewRows = schema.render(HAS_NEW_ROWS);
    this.moveDue = schema.render(MOVE_DUE_FROM_DELAYED.formatted(""));
    this.moveDueSkippingDuplicates = schema.render(MOVE_DUE_FROM_DELAYED.formatted(NOT_IN_OUTBOX));
    this.highestPartitionAtOrAbove = schema.render(ANY_PARTITION_AT_OR_ABOVE);
    this.backlog = schema.render(BACKLOG);
    this.oldestCreatedAt = schema.render(OLDEST);
    this.backlogByPartition = schema.render(BACKLOG_BY_PARTITION);
    this.replayPick = schema.render(REPLAY_PICK);
    this.replayInsert = schema.render(REPLAY_INSERT_PREFIX);
    this.replayDelete = schema.render(REPLAY_DELETE_PREFIX);
  }

  @Override
  public String insertPrefix() {
    return insertPrefix;
  }

  @Override
  public String insertRow() {
    return INSERT_ROW;
  }

  @Override
  public String claimWindowSql(boolean parkKeys) {
    return parkKeys ? claimWindowParked : claimWindow;
  }

  @Override
  public List<ClaimedRow> claimWindow(
      Connection c, boolean parkKeys, int partition, Instant now, int limit, long maxBytes)
      throws SQLException {
    List<ClaimedRow> head = claimHead(c, parkKeys, partition, now, limit, maxBytes);
    return head != null ? head : claimFullWindow(c, parkKeys, partition, now, limit, maxBytes);
  }

  /** The fast path ({@link #CLAIM_HEAD}), tried before the full claim. */
  @Override
  public String claimWindowInlineSql(boolean parkKeys) {
    return parkKeys ? claimHeadParked : claimHead;
  }

  /**
   * The partition's head window if nothing in it is held back or too long (see {@link
   * #CLAIM_HEAD}), else null.
   */
  private List<ClaimedRow> claimHead(
      Connection c, boolean parkKeys, int partition, Instant now, int limit, long maxBytes)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(claimWindowInlineSql(parkKeys))) {
      s.setLong(1, Math.max(1, maxBytes / limit));
      JdbcValues.setTime(s, 2, Dialect.MYSQL, now);
      s.setInt(3, partition);
      s.setInt(4, limit);
      List<ClaimedRow> window = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          byte[] payload = rs.getBytes(5);
          if (payload == null || rs.getBoolean(9) || (parkKeys && rs.getBoolean(10))) {
            return null;
          }
          window.add(
              new ClaimedRow(
                  rs.getLong(1),
                  JdbcValues.getUuid(rs, 2, Dialect.MYSQL),
                  rs.getString(3),
                  rs.getString(4),
                  payload,
                  rs.getString(6),
                  JdbcValues.getTime(rs, 7, Dialect.MYSQL).toInstant(),
                  rs.getInt(8)));
        }
      }
      return window;
    }
  }

  private List<ClaimedRow> claimFullWindow(
      Connection c, boolean parkKeys, int partition, Instant now, int limit, long maxBytes)
      throws SQLException {
    try (PreparedStatement s = c.prepareStatement(claimWindowSql(parkKeys))) {
      s.setInt(1, partition);
      JdbcValues.setTime(s, 2, Dialect.MYSQL, now);
      JdbcValues.setTime(s, 3, Dialect.MYSQL, now);
      s.setInt(4, limit);
      s.setLong(5, maxBytes);
      List<ClaimedRow> window = new ArrayList<>(Math.min(limit, 1024));
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          window.add(
              new ClaimedRow(
                  rs.getLong(1),
                  JdbcValues.getUuid(rs, 2, Dialect.MYSQL),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getBytes(5),
                  rs.getString(6),
                  JdbcValues.getTime(rs, 7, Dialect.MYSQL).toInstant(),
                  rs.getInt(8)));
        }
      }
      return window;
    }
  }

  @Override
  public int deleteConfirmed(Connection c, Fence fence, long[] ids) throws SQLException {
    if (!held(c, fence)) {
      return 0;
    }
    return delete(c, fence.partition(), ids);
  }

  @Override
  public int reschedule(Connection c, Fence fence, List<Retry> retries) throws SQLException {
    if (!held(c, fence)) {
      return 0;
    }
    // Retries are the failure path: one primary-key update per row, sent as one batch.
    try (PreparedStatement s = c.prepareStatement(reschedule)) {
      for (Retry retry : retries) {
        JdbcValues.setTime(s, 1, Dialect.MYSQL, retry.availableAt());
        s.setString(2, OutboxMessageSql.truncate(retry.error()));
        s.setLong(3, retry.id());
        s.setInt(4, fence.partition());
        s.addBatch();
      }
      return changed(s.executeBatch());
    }
  }

  @Override
  public int moveToDeadLetter(
      Connection c, Fence fence, List<DeadLetterMove> moves, Instant failedAt) throws SQLException {
    if (!held(c, fence)) {
      return 0;
    }
    long[] ids = new long[moves.size()];
    try (PreparedStatement s = c.prepareStatement(copyToDeadLetter)) {
      for (int i = 0; i < ids.length; i++) {
        DeadLetterMove move = moves.get(i);
        ids[i] = move.id();
        JdbcValues.setTime(s, 1, Dialect.MYSQL, failedAt);
        s.setInt(2, move.attempts());
        s.setString(3, OutboxMessageSql.truncate(move.error()));
        s.setLong(4, move.id());
        s.setInt(5, fence.partition());
        s.addBatch();
      }
      s.executeBatch();
    }
    return delete(c, fence.partition(), ids);
  }

  @Override
  public List<Integer> partitionsWithNewRows(Connection c, int[] partitions) throws SQLException {
    List<Integer> found = new ArrayList<>();
    try (PreparedStatement s = c.prepareStatement(hasNewRows)) {
      for (int partition : partitions) {
        s.setInt(1, partition);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next()) {
            found.add(partition);
          }
        }
      }
    }
    return found;
  }

  @Override
  public String highestPartitionAtOrAbove() {
    return highestPartitionAtOrAbove;
  }

  @Override
  public String backlog() {
    return backlog;
  }

  @Override
  public String oldestCreatedAt() {
    return oldestCreatedAt;
  }

  @Override
  public String backlogByPartition() {
    return backlogByPartition;
  }

  @Override
  public String moveDueFromDelayed(boolean skipDuplicates) {
    return skipDuplicates ? moveDueSkippingDuplicates : moveDue;
  }

  @Override
  public int replayDeadLetters(DSLContext dsl, Condition filter, Instant availableAt) {
    return dsl.transactionResult(
        tx -> {
          DSLContext t = tx.dsl();
          // READ COMMITTED: the locking read of the filter locks the matching rows, not every
          // scanned row and gap (which would stall the relays' dead-letter inserts meanwhile).
          t.connection(c -> c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED));
          List<Long> picked = t.resultQuery(replayPick, filter).fetch(0, Long.class);
          if (picked.isEmpty()) {
            return 0;
          }
          int moved = 0;
          for (int from = 0; from < picked.size(); from += MAX_IDS_PER_STATEMENT) {
            List<Long> chunk =
                picked.subList(from, Math.min(picked.size(), from + MAX_IDS_PER_STATEMENT));
            String in = inList(chunk.size());
            Object[] binds = new Object[chunk.size() + 1];
            binds[0] = availableAt.atOffset(ZoneOffset.UTC).toLocalDateTime();
            for (int i = 0; i < chunk.size(); i++) {
              binds[i + 1] = chunk.get(i);
            }
            t.execute(replayInsert.formatted(in), binds);
            moved += t.execute(replayDelete.formatted(in), chunk.toArray());
          }
          return moved;
        });
  }

  private boolean held(Connection c, Fence fence) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(leaseHeld)) {
      s.setInt(1, fence.partition());
      s.setString(2, fence.owner());
      s.setLong(3, fence.token());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next();
      }
    }
  }

  private int delete(Connection c, int partition, long[] ids) throws SQLException {
    int deleted = 0;
    for (int from = 0; from < ids.length; from += MAX_IDS_PER_STATEMENT) {
      int to = Math.min(ids.length, from + MAX_IDS_PER_STATEMENT);
      try (PreparedStatement s = c.prepareStatement(deletePrefix + inList(to - from))) {
        s.setInt(1, partition);
        for (int i = from; i < to; i++) {
          s.setLong(i - from + 2, ids[i]);
        }
        deleted += s.executeUpdate();
      }
    }
    return deleted;
  }

  /** {@code (?, ?, ...)} with {@code n} binds. */
  static String inList(int n) {
    StringBuilder in = new StringBuilder(3 * n + 1).append('(');
    for (int i = 0; i < n; i++) {
      in.append(i == 0 ? "?" : ", ?");
    }
    return in.append(')').toString();
  }

  /** Rows a batch changed; a driver that reports no count for a statement changed its one row. */
  private static int changed(int[] counts) {
    int changed = 0;
    for (int count : counts) {
      changed += count == Statement.SUCCESS_NO_INFO ? 1 : Math.max(count, 0);
    }
    return changed;
  }
}
