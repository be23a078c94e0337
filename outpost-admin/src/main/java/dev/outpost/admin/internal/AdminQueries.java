package dev.outpost.admin.internal;

import dev.outpost.admin.DeadLetterQuery;
import dev.outpost.admin.internal.Rows.DeadLetterDetail;
import dev.outpost.admin.internal.Rows.DeadLetterGroup;
import dev.outpost.admin.internal.Rows.DeadLetterRow;
import dev.outpost.admin.internal.Rows.DelayedRow;
import dev.outpost.admin.internal.Rows.DelayedSummary;
import dev.outpost.admin.internal.Rows.KeyPending;
import dev.outpost.admin.internal.Rows.Lease;
import dev.outpost.admin.internal.Rows.PartitionBacklog;
import dev.outpost.admin.internal.Rows.RelayInstance;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.outbox.schema.OutpostSchema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * The admin's read statements on Outpost's tables (outbox, dead letters, delayed messages, leases,
 * relay instances) and its one write on {@code delayed_message} (cancel by id). Writes to the
 * dead-letter table go through the relay's {@code DeadLetters}. Plain JDBC, portable SQL (no vendor
 * functions, names unquoted); table names are qualified with the validated schema name.
 * Thread-safe.
 */
public final class AdminQueries {

  /** Longest error text shown in the grouped dead-letter view. */
  static final int ERROR_GROUP_LENGTH = 200;

  private static final String DEAD_LETTER_COLUMNS =
      "id, outbox_id, message_id, topic, message_key, partition_no, created_at, failed_at,"
          + " attempts, last_error";

  private final DataSource dataSource;
  private final String outbox;
  private final String deadLetter;
  private final String delayed;
  private final String lease;
  private final String instance;
  private volatile Boolean postgres;

  /** Statements on the tables of {@code schema}. */
  public AdminQueries(DataSource dataSource, String schema) {
    String name = OutpostSchema.named(schema).name();
    this.dataSource = dataSource;
    this.outbox = name + "." + OutpostTableNames.OUTBOX_MESSAGE;
    this.deadLetter = name + "." + OutpostTableNames.OUTBOX_DEAD_LETTER;
    this.delayed = name + "." + OutpostTableNames.DELAYED_MESSAGE;
    this.lease = name + "." + OutpostTableNames.RELAY_LEASE;
    this.instance = name + "." + OutpostTableNames.RELAY_INSTANCE;
  }

  /** Pending messages per partition (partitions without any are left out). */
  public List<PartitionBacklog> backlog() {
    return query(
        "SELECT partition_no, COUNT(*), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END),"
            + " MIN(created_at) FROM "
            + outbox
            + " GROUP BY partition_no ORDER BY partition_no",
        List.of(),
        rs -> new PartitionBacklog(rs.getInt(1), rs.getLong(2), rs.getLong(3), instant(rs, 4)));
  }

  /**
   * The highest outbox id handed out so far: on PostgreSQL the identity sequence's last value (so
   * rows published between two samples count), elsewhere the highest id still visible in the outbox
   * or the dead letters.
   */
  public long highestOutboxId() {
    long visible =
        Math.max(
            single("SELECT MAX(id) FROM " + outbox, List.of(), rs -> rs.getLong(1)).orElse(0L),
            single("SELECT MAX(outbox_id) FROM " + deadLetter, List.of(), rs -> rs.getLong(1))
                .orElse(0L));
    if (!isPostgres()) {
      return visible;
    }
    long issued =
        single(
                "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(?, 'id') AS regclass))",
                List.of(outbox),
                rs -> rs.getLong(1))
            .orElse(0L);
    return Math.max(visible, issued);
  }

  private boolean isPostgres() {
    Boolean known = postgres;
    if (known == null) {
      try (Connection c = dataSource.getConnection()) {
        known =
            c.getMetaData()
                .getDatabaseProductName()
                .toLowerCase(java.util.Locale.ROOT)
                .contains("postgres");
      } catch (SQLException e) {
        throw failure(e);
      }
      postgres = known;
    }
    return known;
  }

  /** Registered relay instances. */
  public List<RelayInstance> relays() {
    return query(
        "SELECT instance_id, heartbeat_at, expires_at FROM " + instance + " ORDER BY instance_id",
        List.of(),
        rs -> new RelayInstance(rs.getString(1), instant(rs, 2), instant(rs, 3)));
  }

  /** Partition leases. */
  public List<Lease> leases() {
    return query(
        "SELECT partition_no, owner, expires_at, fencing_token FROM "
            + lease
            + " ORDER BY partition_no",
        List.of(),
        rs -> new Lease(rs.getInt(1), rs.getString(2), instant(rs, 3), rs.getLong(4)));
  }

  /** Number of delayed messages and the earliest due time (null when there are none). */
  public DelayedSummary delayedSummary() {
    return single(
            "SELECT COUNT(*), MIN(deliver_at) FROM " + delayed,
            List.of(),
            rs -> new DelayedSummary(rs.getLong(1), instant(rs, 2)))
        .orElse(new DelayedSummary(0, null));
  }

  /** Dead-letter counts by topic and (shortened) last error, largest first. */
  public List<DeadLetterGroup> deadLetterGroups() {
    String error = "SUBSTRING(last_error, 1, " + ERROR_GROUP_LENGTH + ")";
    return query(
        "SELECT topic, "
            + error
            + ", COUNT(*), MAX(failed_at) FROM "
            + deadLetter
            + " GROUP BY topic, "
            + error
            + " ORDER BY 3 DESC, 1",
        List.of(),
        rs -> new DeadLetterGroup(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4)));
  }

  /** Number of dead letters matching {@code q}. */
  public long countDeadLetters(DeadLetterQuery q) {
    List<Object> args = new ArrayList<>();
    String where = where(q, args);
    return single("SELECT COUNT(*) FROM " + deadLetter + where, args, rs -> rs.getLong(1))
        .orElse(0L);
  }

  /** Dead letters matching {@code q} with an id above {@code afterId}, by id, at most limit. */
  public List<DeadLetterRow> deadLetters(DeadLetterQuery q, long afterId, int limit) {
    List<Object> args = new ArrayList<>();
    String where = where(q, args) + " AND id > ?";
    args.add(afterId);
    args.add(limit);
    return query(
        "SELECT " + DEAD_LETTER_COLUMNS + " FROM " + deadLetter + where + " ORDER BY id LIMIT ?",
        args,
        AdminQueries::deadLetterRow);
  }

  /** Every dead letter of one key, in their original outbox order. */
  public List<DeadLetterRow> deadLettersOfKey(int partition, String key) {
    return query(
        "SELECT "
            + DEAD_LETTER_COLUMNS
            + " FROM "
            + deadLetter
            + " WHERE partition_no = ? AND message_key = ? ORDER BY outbox_id",
        List.of(partition, key),
        AdminQueries::deadLetterRow);
  }

  /** One dead letter with payload and headers. */
  public Optional<DeadLetterDetail> deadLetter(long id) {
    return single(
        "SELECT " + DEAD_LETTER_COLUMNS + ", payload, headers FROM " + deadLetter + " WHERE id = ?",
        List.of(id),
        rs ->
            new DeadLetterDetail(
                deadLetterRow(rs),
                new String(rs.getBytes(11), StandardCharsets.UTF_8),
                HeadersJson.read(rs.getString(12))));
  }

  /** Pending outbox messages of a key before and after an outbox position. */
  public KeyPending pendingOfKey(int partition, String key, long outboxId) {
    return single(
            "SELECT SUM(CASE WHEN id < ? THEN 1 ELSE 0 END), SUM(CASE WHEN id > ? THEN 1 ELSE 0"
                + " END) FROM "
                + outbox
                + " WHERE partition_no = ? AND message_key = ?",
            List.of(outboxId, outboxId, partition, key),
            rs -> new KeyPending(rs.getLong(1), rs.getLong(2)))
        .orElse(new KeyPending(0, 0));
  }

  /** Delayed messages matching {@code q}, earliest due first, at most {@code limit}. */
  public List<DelayedRow> delayed(DelayedQuery q, int limit) {
    List<Object> args = new ArrayList<>();
    String where = where(q, args);
    args.add(limit);
    return query(
        "SELECT id, message_id, topic, message_key, cancel_key, created_at, deliver_at FROM "
            + delayed
            + where
            + " ORDER BY deliver_at, id LIMIT ?",
        args,
        rs ->
            new DelayedRow(
                rs.getLong(1),
                uuid(rs, 2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                instant(rs, 6),
                instant(rs, 7)));
  }

  /** Deletes delayed messages by id (a cancel); returns how many were still pending. */
  public int cancelDelayed(List<Long> ids) {
    if (ids.isEmpty()) {
      return 0;
    }
    String marks = String.join(", ", java.util.Collections.nCopies(ids.size(), "?"));
    return update("DELETE FROM " + delayed + " WHERE id IN (" + marks + ")", new ArrayList<>(ids));
  }

  private String where(DeadLetterQuery q, List<Object> args) {
    StringBuilder w = new StringBuilder(" WHERE 1 = 1");
    if (!q.ids().isEmpty()) {
      w.append(" AND id IN (")
          .append(String.join(", ", java.util.Collections.nCopies(q.ids().size(), "?")))
          .append(')');
      args.addAll(q.ids());
    }
    if (!q.messageIds().isEmpty()) {
      w.append(" AND message_id IN (")
          .append(String.join(", ", java.util.Collections.nCopies(q.messageIds().size(), "?")))
          .append(')');
      args.addAll(q.messageIds());
    }
    if (q.topic() != null) {
      w.append(" AND topic = ?");
      args.add(q.topic());
    }
    if (q.key() != null) {
      w.append(" AND message_key = ?");
      args.add(q.key());
    }
    if (q.failedFrom() != null) {
      w.append(" AND failed_at >= ?");
      args.add(Timestamp.from(q.failedFrom()));
    }
    if (q.failedBefore() != null) {
      w.append(" AND failed_at < ?");
      args.add(Timestamp.from(q.failedBefore()));
    }
    if (q.errorContains() != null) {
      w.append(" AND LOWER(last_error) LIKE ? ESCAPE '!'");
      args.add("%" + likeEscape(q.errorContains().toLowerCase(java.util.Locale.ROOT)) + "%");
    }
    return w.toString();
  }

  private String where(DelayedQuery q, List<Object> args) {
    StringBuilder w = new StringBuilder(" WHERE 1 = 1");
    if (!q.ids().isEmpty()) {
      w.append(" AND id IN (")
          .append(String.join(", ", java.util.Collections.nCopies(q.ids().size(), "?")))
          .append(')');
      args.addAll(q.ids());
    }
    if (q.topic() != null) {
      w.append(" AND topic = ?");
      args.add(q.topic());
    }
    if (q.cancelKey() != null) {
      w.append(" AND cancel_key = ?");
      args.add(q.cancelKey());
    }
    if (q.dueBefore() != null) {
      w.append(" AND deliver_at < ?");
      args.add(Timestamp.from(q.dueBefore()));
    }
    return w.toString();
  }

  private static String likeEscape(String s) {
    return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  private static DeadLetterRow deadLetterRow(ResultSet rs) throws SQLException {
    return new DeadLetterRow(
        rs.getLong(1),
        rs.getLong(2),
        uuid(rs, 3),
        rs.getString(4),
        rs.getString(5),
        rs.getInt(6),
        instant(rs, 7),
        instant(rs, 8),
        rs.getInt(9),
        rs.getString(10));
  }

  private static UUID uuid(ResultSet rs, int column) throws SQLException {
    String text = rs.getString(column);
    return text == null ? null : UUID.fromString(text);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  /** Maps one result row. */
  @FunctionalInterface
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  private <T> List<T> query(String sql, List<Object> args, RowMapper<T> mapper) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      List<T> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(mapper.map(rs));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private <T> Optional<T> single(String sql, List<Object> args, RowMapper<T> mapper) {
    List<T> rows = query(sql, args, mapper);
    return rows.isEmpty() ? Optional.empty() : Optional.ofNullable(rows.get(0));
  }

  private int update(String sql, List<Object> args) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      bind(s, args);
      return s.executeUpdate();
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  private static void bind(PreparedStatement s, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      s.setObject(i + 1, args.get(i));
    }
  }

  private static OutpostException failure(SQLException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new OutpostException(
        "database query failed: "
            + e.getMessage()
            + (root != e ? " (" + root.getMessage() + ")" : "")
            + ("42P01".equals(e.getSQLState())
                ? ". Outpost's tables are missing in this schema: check --schema or run"
                    + " OutpostMigrations first."
                : ""),
        e);
  }
}
