package dev.outpost.outbox.internal;

import dev.outpost.outbox.schema.OutpostSchema;
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
import org.jooq.Condition;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;

/**
 * Every statement on {@code outbox_message} for PostgreSQL, in one place: the writer's insert, the
 * relay's claim/delete/retry/dead-letter statements, and the two moves into the outbox (dead-letter
 * replay, due delayed messages). The repositories of the writer, the relay and the delay scheduler
 * bind and run them. Statements are rendered once, at construction; each is then a plain prepared
 * statement. Immutable and thread-safe.
 *
 * <p>Every statement that changes rows for the relay is guarded by the partition's lease: it only
 * touches rows while the lease row still has the caller's owner and fencing token, and it
 * share-locks that lease row so a takeover waits until the statement's transaction ends.
 */
final class PostgresOutboxMessageSql implements OutboxMessageSql {

  /**
   * The writer's row: eight binds in the order message_id, topic, message_key, partition_no,
   * payload, headers (JSON text), created_at, available_at. A multi-row insert repeats it after
   * {@link #INSERT_PREFIX}, separated by {@code ", "}.
   */
  private static final String INSERT_ROW =
      "(cast(? as uuid), ?, ?, ?, ?, cast(? as jsonb), cast(? as timestamp with time zone),"
          + " cast(? as timestamp with time zone))";

  private static final String INSERT_PREFIX =
      "insert into {outbox_message} (\"message_id\", \"topic\", \"message_key\","
          + " \"partition_no\", \"payload\", \"headers\", \"created_at\", \"available_at\")"
          + " values ";

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
      SELECT o.id, o.message_id, o.topic, o.message_key, o.payload, o.headers::text AS headers,
             o.created_at, o.attempts, octet_length(o.payload) AS payload_size
      FROM {outbox_message} o
      WHERE o.partition_no = ?
        AND (o.attempts = 0 OR o.available_at <= ?)
        AND ((SELECT b.id FROM {outbox_message} b
              WHERE b.partition_no = ? AND b.attempts > 0 AND b.message_key IS NOT NULL
              ORDER BY b.message_key, b.id LIMIT 1) IS NULL
             OR NOT EXISTS (
                    SELECT 1 FROM {outbox_message} r
                    WHERE r.partition_no = o.partition_no AND r.message_key = o.message_key
                      AND r.attempts > 0 AND r.id < o.id AND r.available_at > ?
                    OFFSET 0))
      %s
      ORDER BY o.partition_no, o.id
      LIMIT ?
      """;

  /**
   * The head window cut at a byte limit: rows are taken while the payload bytes before them stay
   * under the limit (so the first row always comes, however large). The cut happens in the
   * database: the relay never receives the payloads beyond it. The inner window keeps its row
   * limit, so the running sum sees at most that many rows.
   */
  private static final String BYTE_LIMITED =
      """
      SELECT x.id, x.message_id, x.topic, x.message_key, x.payload, x.headers, x.created_at,
             x.attempts
      FROM (SELECT w.*, sum(w.payload_size) OVER (ORDER BY w.id) AS running_size
            FROM (%s) w) x
      WHERE x.running_size - x.payload_size < ?
      ORDER BY x.id
      """;

  /**
   * The payload column of the inline claim: only payloads of at most the first bind's bytes come
   * back (the others NULL, and the relay claims again with the byte cut). {@code octet_length}
   * reads the stored length without decompressing or fetching a TOASTed value.
   */
  private static final String INLINE_PAYLOAD =
      "CASE WHEN octet_length(o.payload) <= ? THEN o.payload END AS payload";

  /** Extra condition of the head window when keys with a dead letter are parked. */
  private static final String NOT_PARKED =
      """
        AND ((SELECT e.id FROM {outbox_dead_letter} e
              WHERE e.partition_no = ? AND e.message_key IS NOT NULL
              ORDER BY e.message_key LIMIT 1) IS NULL
             OR NOT EXISTS (
                    SELECT 1 FROM {outbox_dead_letter} d
                    WHERE d.partition_no = o.partition_no AND d.message_key = o.message_key
                    OFFSET 0))
      """;

  private static final String LEASE_HELD =
      """
      EXISTS (SELECT 1 FROM {relay_lease} l
              WHERE l.partition_no = ? AND l.owner = ? AND l.fencing_token = ?
              FOR SHARE)
      """;

  private static final String DELETE_CONFIRMED =
      """
      DELETE FROM {outbox_message} o
      WHERE o.id = ANY(?) AND o.partition_no = ?
        AND %s
      """;

  private static final String RESCHEDULE =
      """
      UPDATE {outbox_message} o
      SET attempts = o.attempts + 1, available_at = u.available_at, last_error = u.last_error
      FROM unnest(?::bigint[], ?::text[]::timestamptz[], ?::text[])
           AS u(id, available_at, last_error)
      WHERE o.id = u.id AND o.partition_no = ?
        AND %s
      """;

  private static final String MOVE_TO_DEAD_LETTER =
      """
      WITH moved AS (
        DELETE FROM {outbox_message} o
        USING unnest(?::bigint[], ?::int[], ?::text[]) AS u(id, attempts, last_error)
        WHERE o.id = u.id AND o.partition_no = ?
          AND %s
        RETURNING o.id, o.message_id, o.topic, o.message_key, o.partition_no, o.payload,
                  o.headers, o.created_at, u.attempts, u.last_error)
      INSERT INTO {outbox_dead_letter} (outbox_id, message_id, topic, message_key, partition_no, payload,
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
      WHERE EXISTS (SELECT 1 FROM {outbox_message} o WHERE o.partition_no = p AND o.attempts = 0)
      """;

  private static final String ANY_PARTITION_AT_OR_ABOVE =
      "SELECT max(partition_no) FROM {outbox_message} WHERE partition_no >= ?";

  private static final String BACKLOG = "SELECT count(*) FROM {outbox_message}";

  private static final String BACKLOG_BY_PARTITION =
      """
      SELECT partition_no, count(*), min(created_at) FROM {outbox_message}
      GROUP BY partition_no ORDER BY partition_no
      """;

  private static final String OLDEST =
      "SELECT created_at FROM {outbox_message} ORDER BY id LIMIT 1";

  // Oldest first: the INSERT takes the moved rows in due order, so the outbox ids (the relay's
  // per-key order) follow due order. SKIP LOCKED lets several sweepers share the due rows and
  // skips rows an uncommitted cancel/reschedule holds. The DELETE finds the locked rows by ctid
  // (a TID scan): joining on id let the planner hash-join against a sequential scan of the whole
  // table for every batch. The rows stay locked, so their ctids cannot change in between.
  // %s is empty on the fast path. With it filled in, ON CONFLICT keeps a delayed message whose
  // id is already in the outbox from failing (and blocking) every sweep: its row is dropped and
  // counted as moved minus inserted. It is not always on because speculative insertion made the
  // statement about 40% slower.
  private static final String MOVE_DUE_FROM_DELAYED =
      """
      WITH due AS (
        SELECT ctid FROM {delayed_message}
        WHERE deliver_at <= ?
        ORDER BY deliver_at, id
        LIMIT ?
        FOR UPDATE SKIP LOCKED
      ), moved AS (
        DELETE FROM {delayed_message} d WHERE d.ctid = ANY (ARRAY(SELECT ctid FROM due))
        RETURNING d.id, d.message_id, d.topic, d.message_key, d.partition_no, d.payload,
                  d.headers, d.created_at, d.deliver_at
      ), inserted AS (
        INSERT INTO {outbox_message} (message_id, topic, message_key, partition_no, payload, headers,
                          created_at, available_at)
        SELECT message_id, topic, message_key, partition_no, payload, headers,
               created_at, deliver_at
        FROM moved
        ORDER BY deliver_at, id%s
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM moved), (SELECT count(*) FROM inserted),
             (SELECT min(deliver_at) FROM moved)
      """;

  /**
   * Moves dead letters back in one statement. The row gets its old outbox id back (identity values
   * are never reused, so it is free), which puts it before the later messages of its key that a
   * parked key held back. A row whose message id or outbox id is taken stays a dead letter. jOOQ
   * parts: {0} the filter, {1} available_at.
   */
  private static final String REPLAY_DEAD_LETTERS =
      """
      WITH picked AS (
        SELECT id FROM {outbox_dead_letter} WHERE {0} FOR UPDATE),
      inserted AS (
        INSERT INTO {outbox_message} (id, message_id, topic, message_key, partition_no, payload, headers,
                         created_at, available_at, attempts)
        OVERRIDING SYSTEM VALUE
        SELECT d.outbox_id, d.message_id, d.topic, d.message_key, d.partition_no, d.payload,
               d.headers, d.created_at, {1}, 0
        FROM {outbox_dead_letter} d JOIN picked p ON p.id = d.id
        ORDER BY d.outbox_id
        ON CONFLICT DO NOTHING
        RETURNING message_id)
      DELETE FROM {outbox_dead_letter} d USING inserted i WHERE d.message_id = i.message_id
      """;

  private final String insertPrefix;
  private final String insertRow;
  private final String claimWindow;
  private final String claimWindowParked;
  private final String claimWindowInline;
  private final String claimWindowInlineParked;
  private final String deleteConfirmed;
  private final String reschedule;
  private final String moveToDeadLetter;
  private final String partitionsWithNewRows;
  private final String highestPartitionAtOrAbove;
  private final String backlog;
  private final String oldestCreatedAt;
  private final String backlogByPartition;
  private final String moveDue;
  private final String moveDueSkippingDuplicates;
  private final String replayDeadLetters;

  PostgresOutboxMessageSql(OutpostSchema schema) {
    this.insertPrefix = schema.render(INSERT_PREFIX);
    this.insertRow = INSERT_ROW;
    this.claimWindow = schema.render(BYTE_LIMITED.formatted(CLAIM_WINDOW.formatted("")));
    this.claimWindowParked =
        schema.render(BYTE_LIMITED.formatted(CLAIM_WINDOW.formatted(NOT_PARKED)));
    this.claimWindowInline = schema.render(inline(CLAIM_WINDOW.formatted("")));
    this.claimWindowInlineParked = schema.render(inline(CLAIM_WINDOW.formatted(NOT_PARKED)));
    this.deleteConfirmed = schema.render(DELETE_CONFIRMED.formatted(LEASE_HELD));
    this.reschedule = schema.render(RESCHEDULE.formatted(LEASE_HELD));
    this.moveToDeadLetter = schema.render(MOVE_TO_DEAD_LETTER.formatted(LEASE_HELD));
    this.partitionsWithNewRows = schema.render(PARTITIONS_WITH_NEW_ROWS);
    this.highestPartitionAtOrAbove = schema.render(ANY_PARTITION_AT_OR_ABOVE);
    this.backlog = schema.render(BACKLOG);
    this.oldestCreatedAt = schema.render(OLDEST);
    this.backlogByPartition = schema.render(BACKLOG_BY_PARTITION);
    this.moveDue = schema.render(MOVE_DUE_FROM_DELAYED.formatted(""));
    this.moveDueSkippingDuplicates =
        schema.render(MOVE_DUE_FROM_DELAYED.formatted("\n  ON CONFLICT (message_id) DO NOTHING"));
    this.replayDeadLetters = schema.render(REPLAY_DEAD_LETTERS);
  }

  @Override
  public String insertPrefix() {
    return insertPrefix;
  }

  @Override
  public String insertRow() {
    return insertRow;
  }

  @Override
  public String claimWindowSql(boolean parkKeys) {
    return parkKeys ? claimWindowParked : claimWindow;
  }

  @Override
  public String claimWindowInlineSql(boolean parkKeys) {
    return parkKeys ? claimWindowInlineParked : claimWindowInline;
  }

  /**
   * Usually one statement without the byte cut: it returns only payloads of at most {@code maxBytes
   * / limit} bytes, so its window cannot exceed {@code maxBytes} and needs no cut. Only when a
   * longer payload comes back (as NULL) does it claim again with the byte-cut statement, whose
   * running sum over the window made every claim about twice as expensive for the database. Either
   * way the relay never holds more than about twice {@code maxBytes}.
   */
  @Override
  public List<ClaimedRow> claimWindow(
      Connection c, boolean parkKeys, int partition, Instant now, int limit, long maxBytes)
      throws SQLException {
    OffsetDateTime at = now.atOffset(ZoneOffset.UTC);
    try (PreparedStatement s = c.prepareStatement(claimWindowInlineSql(parkKeys))) {
      s.setLong(1, Math.max(1, maxBytes / limit));
      bindClaim(s, 2, parkKeys, partition, at, limit);
      List<ClaimedRow> window = readWindow(s, limit);
      if (window != null) {
        return window;
      }
    }
    try (PreparedStatement s = c.prepareStatement(claimWindowSql(parkKeys))) {
      int i = bindClaim(s, 1, parkKeys, partition, at, limit);
      s.setLong(i, maxBytes);
      return readWindow(s, limit);
    }
  }

  /** Binds the claim's conditions from {@code first} on; returns the next bind index. */
  private static int bindClaim(
      PreparedStatement s, int first, boolean parkKeys, int partition, OffsetDateTime at, int limit)
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

  /** The claimed rows, or null when a payload came back NULL (too long for the inline claim). */
  private static List<ClaimedRow> readWindow(PreparedStatement s, int limit) throws SQLException {
    List<ClaimedRow> window = new ArrayList<>(Math.min(limit, 1024));
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        byte[] payload = rs.getBytes(5);
        if (payload == null) {
          return null;
        }
        window.add(
            new ClaimedRow(
                rs.getLong(1),
                rs.getObject(2, UUID.class),
                rs.getString(3),
                rs.getString(4),
                payload,
                rs.getString(6),
                rs.getObject(7, OffsetDateTime.class).toInstant(),
                rs.getInt(8)));
      }
    }
    return window;
  }

  private static String inline(String claim) {
    String payload = "o.payload,";
    if (claim.indexOf(payload) != claim.lastIndexOf(payload) || !claim.contains(payload)) {
      throw new IllegalStateException("the claim must select o.payload once: " + claim);
    }
    return claim.replace(payload, INLINE_PAYLOAD + ",");
  }

  @Override
  public int deleteConfirmed(Connection c, Fence fence, long[] ids) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(deleteConfirmed)) {
      s.setObject(1, ids);
      s.setInt(2, fence.partition());
      bindFence(s, 3, fence);
      return s.executeUpdate();
    }
  }

  @Override
  public int reschedule(Connection c, Fence fence, List<Retry> retries) throws SQLException {
    int n = retries.size();
    long[] ids = new long[n];
    String[] times = new String[n];
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      Retry retry = retries.get(i);
      ids[i] = retry.id();
      times[i] = retry.availableAt().toString();
      errors[i] = OutboxMessageSql.truncate(retry.error());
    }
    try (PreparedStatement s = c.prepareStatement(reschedule)) {
      s.setObject(1, ids);
      s.setArray(2, c.createArrayOf("text", times));
      s.setArray(3, c.createArrayOf("text", errors));
      s.setInt(4, fence.partition());
      bindFence(s, 5, fence);
      return s.executeUpdate();
    }
  }

  @Override
  public int moveToDeadLetter(
      Connection c, Fence fence, List<DeadLetterMove> moves, Instant failedAt) throws SQLException {
    int n = moves.size();
    long[] ids = new long[n];
    int[] attempts = new int[n];
    String[] errors = new String[n];
    for (int i = 0; i < n; i++) {
      DeadLetterMove move = moves.get(i);
      ids[i] = move.id();
      attempts[i] = move.attempts();
      errors[i] = OutboxMessageSql.truncate(move.error());
    }
    try (PreparedStatement s = c.prepareStatement(moveToDeadLetter)) {
      s.setObject(1, ids);
      s.setObject(2, attempts);
      s.setArray(3, c.createArrayOf("text", errors));
      s.setInt(4, fence.partition());
      bindFence(s, 5, fence);
      s.setObject(8, failedAt.atOffset(ZoneOffset.UTC));
      return s.executeUpdate();
    }
  }

  @Override
  public List<Integer> partitionsWithNewRows(Connection c, int[] partitions) throws SQLException {
    try (PreparedStatement s = c.prepareStatement(partitionsWithNewRows)) {
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

  private static void bindFence(PreparedStatement s, int first, Fence fence) throws SQLException {
    s.setInt(first, fence.partition());
    s.setString(first + 1, fence.owner());
    s.setLong(first + 2, fence.token());
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
    return dsl.query(replayDeadLetters, filter, DSL.val(availableAt.atOffset(ZoneOffset.UTC)))
        .execute();
  }

  /** The replay statement, a jOOQ plain-SQL template: {0} the filter, {1} available_at. */
  String replayDeadLettersSql() {
    return replayDeadLetters;
  }
}
