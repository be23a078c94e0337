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
import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.outbox.schema.OutpostSchema;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Runs the admin's statements ({@link AdminSql}, one per dialect): reads of Outpost's tables
 * (outbox, dead letters, delayed messages, leases, relay instances) and its one write on {@code
 * delayed_message} (cancel by id). Writes to the dead-letter table go through the relay's {@code
 * DeadLetters}. Plain JDBC; message ids and times are bound and read through {@link JdbcValues}
 * ({@code uuid}/{@code timestamptz} on PostgreSQL, {@code BINARY(16)}/UTC {@code DATETIME(6)} on
 * MySQL/MariaDB). Thread-safe.
 */
public final class AdminQueries {

  /** Longest error text shown in the grouped dead-letter view. */
  static final int ERROR_GROUP_LENGTH = AdminSql.ERROR_GROUP_LENGTH;

  private final DataSource dataSource;
  private final AdminSql sql;
  private final Dialect dialect;

  /** Statements on the tables of {@code schema} in a {@code dialect} database. */
  public AdminQueries(DataSource dataSource, Dialect dialect, String schema) {
    OutpostSchema.named(schema);
    this.dataSource = dataSource;
    this.sql = AdminSql.of(dialect, schema);
    this.dialect = dialect;
  }

  /** The dialect of the database. */
  public Dialect dialect() {
    return dialect;
  }

  /** Pending messages per partition (partitions without any are left out). */
  public List<PartitionBacklog> backlog() {
    return query(
        sql.backlog,
        List.of(),
        rs -> new PartitionBacklog(rs.getInt(1), rs.getLong(2), rs.getLong(3), instant(rs, 4)));
  }

  /**
   * The highest outbox id handed out so far: the outbox id counter (PostgreSQL's identity sequence,
   * MySQL's AUTO_INCREMENT), so rows published between two samples count, and at least the highest
   * id still visible in the outbox or the dead letters.
   */
  public long highestOutboxId() {
    long visible = single(sql.highestVisibleOutboxId, List.of(), rs -> rs.getLong(1)).orElse(0L);
    try (Connection c = dataSource.getConnection()) {
      DatabaseMetaData meta = c.getMetaData();
      String before =
          sql.beforeIssuedOutboxId(
              meta.getDatabaseProductName() + " " + meta.getDatabaseProductVersion());
      if (before != null) {
        try (Statement s = c.createStatement()) {
          s.execute(before);
        }
      }
      try (PreparedStatement s = c.prepareStatement(sql.issuedOutboxId())) {
        bind(s, sql.issuedOutboxIdArgs());
        try (ResultSet rs = s.executeQuery()) {
          return rs.next() ? Math.max(visible, rs.getLong(1)) : visible;
        }
      }
    } catch (SQLException e) {
      throw failure(e);
    }
  }

  /** Registered relay instances. */
  public List<RelayInstance> relays() {
    return query(
        sql.relays,
        List.of(),
        rs -> new RelayInstance(rs.getString(1), instant(rs, 2), instant(rs, 3)));
  }

  /** Partition leases. */
  public List<Lease> leases() {
    return query(
        sql.leases,
        List.of(),
        rs -> new Lease(rs.getInt(1), rs.getString(2), instant(rs, 3), rs.getLong(4)));
  }

  /** Number of delayed messages and the earliest due time (null when there are none). */
  public DelayedSummary delayedSummary() {
    return single(
            sql.delayedSummary, List.of(), rs -> new DelayedSummary(rs.getLong(1), instant(rs, 2)))
        .orElse(new DelayedSummary(0, null));
  }

  /** Dead-letter counts by topic and (shortened) last error, largest first. */
  public List<DeadLetterGroup> deadLetterGroups() {
    return query(
        sql.deadLetterGroups,
        List.of(),
        rs -> new DeadLetterGroup(rs.getString(1), rs.getString(2), rs.getLong(3), instant(rs, 4)));
  }

  /** Number of dead letters matching {@code q}. */
  public long countDeadLetters(DeadLetterQuery q) {
    List<Object> args = new ArrayList<>();
    String where = sql.where(q, args);
    return single(sql.countDeadLetters + where, args, rs -> rs.getLong(1)).orElse(0L);
  }

  /** Dead letters matching {@code q} with an id above {@code afterId}, by id, at most limit. */
  public List<DeadLetterRow> deadLetters(DeadLetterQuery q, long afterId, int limit) {
    List<Object> args = new ArrayList<>();
    String where = sql.where(q, args) + " AND id > ?";
    args.add(afterId);
    args.add(limit);
    return query(sql.deadLetters + where + " ORDER BY id LIMIT ?", args, this::deadLetterRow);
  }

  /** Every dead letter of one key, in their original outbox order. */
  public List<DeadLetterRow> deadLettersOfKey(int partition, String key) {
    return query(sql.deadLettersOfKey, List.of(partition, key), this::deadLetterRow);
  }

  /** One dead letter with payload and headers. */
  public Optional<DeadLetterDetail> deadLetter(long id) {
    return single(
        sql.deadLetter,
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
            sql.pendingOfKey,
            List.of(outboxId, outboxId, partition, key),
            rs -> new KeyPending(rs.getLong(1), rs.getLong(2)))
        .orElse(new KeyPending(0, 0));
  }

  /** Delayed messages matching {@code q}, earliest due first, at most {@code limit}. */
  public List<DelayedRow> delayed(DelayedQuery q, int limit) {
    List<Object> args = new ArrayList<>();
    String where = sql.where(q, args);
    args.add(limit);
    return query(
        sql.delayed + where + " ORDER BY deliver_at, id LIMIT ?",
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
    return update(sql.cancelDelayed + AdminSql.marks(ids.size()), new ArrayList<>(ids));
  }

  private DeadLetterRow deadLetterRow(ResultSet rs) throws SQLException {
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

  private UUID uuid(ResultSet rs, int column) throws SQLException {
    return JdbcValues.getUuid(rs, column, dialect);
  }

  private Instant instant(ResultSet rs, int column) throws SQLException {
    OffsetDateTime t = JdbcValues.getTime(rs, column, dialect);
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

  private void bind(PreparedStatement s, List<Object> args) throws SQLException {
    for (int i = 0; i < args.size(); i++) {
      Object value = args.get(i);
      if (value instanceof UUID id) {
        JdbcValues.setUuid(s, i + 1, dialect, id);
      } else if (value instanceof Instant time) {
        JdbcValues.setTime(s, i + 1, dialect, time);
      } else if (value == null) {
        s.setNull(i + 1, Types.VARCHAR);
      } else {
        s.setObject(i + 1, value);
      }
    }
  }

  private OutpostException failure(SQLException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return new OutpostException(
        "database query failed: "
            + e.getMessage()
            + (root != e ? " (" + root.getMessage() + ")" : "")
            + (dialect.isMissingTable(e)
                ? ". Outpost's tables are missing in this schema: check --schema or run"
                    + " OutpostMigrations first."
                : ""),
        e);
  }
}
