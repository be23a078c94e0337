package dev.outpost.admin.internal;

import dev.outpost.admin.DeadLetterQuery;
import dev.outpost.common.Dialect;
import dev.outpost.common.internal.SqlTemplate;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The admin's SQL for one dialect: its reads of Outpost's tables, its cancel of delayed messages
 * and its statements on {@code outpost_admin_audit}. Statements are text with {@code {table}}
 * tokens, rendered once by {@link SqlTemplate}; values are {@code ?} binds, which {@link
 * AdminQueries} binds by type (message ids and times through {@code JdbcValues}). The statements
 * here are the same on PostgreSQL and MySQL/MariaDB; what differs (how far the outbox's id counter
 * has gone) is in {@link PostgresAdminSql} and {@link MysqlAdminSql}. Immutable and thread-safe.
 */
abstract sealed class AdminSql permits PostgresAdminSql, MysqlAdminSql {

  /** Longest error text shown in the grouped dead-letter view. */
  static final int ERROR_GROUP_LENGTH = 200;

  private static final String DEAD_LETTER_COLUMNS =
      "id, outbox_id, message_id, topic, message_key, partition_no, created_at, failed_at,"
          + " attempts, last_error";

  private static final String ERROR_GROUP = "SUBSTRING(last_error, 1, " + ERROR_GROUP_LENGTH + ")";

  final SqlTemplate template;
  final String backlog;
  final String highestVisibleOutboxId;
  final String relays;
  final String leases;
  final String delayedSummary;
  final String deadLetterGroups;
  final String countDeadLetters;
  final String deadLetters;
  final String deadLettersOfKey;
  final String deadLetter;
  final String pendingOfKey;
  final String delayed;
  final String cancelDelayed;
  final String insertAudit;
  final String latestAudit;

  AdminSql(Dialect dialect, String schema) {
    this.template = new SqlTemplate(dialect, schema);
    this.backlog =
        render(
            """
            SELECT partition_no, COUNT(*), SUM(CASE WHEN attempts > 0 THEN 1 ELSE 0 END),
                   MIN(created_at)
            FROM {outbox_message} GROUP BY partition_no ORDER BY partition_no""");
    this.highestVisibleOutboxId =
        render(
            """
            SELECT GREATEST(COALESCE((SELECT MAX(id) FROM {outbox_message}), 0),
                            COALESCE((SELECT MAX(outbox_id) FROM {outbox_dead_letter}), 0))""");
    this.relays =
        render(
            "SELECT instance_id, heartbeat_at, expires_at FROM {relay_instance} ORDER BY"
                + " instance_id");
    this.leases =
        render(
            "SELECT partition_no, owner, expires_at, fencing_token FROM {relay_lease} ORDER BY"
                + " partition_no");
    this.delayedSummary = render("SELECT COUNT(*), MIN(deliver_at) FROM {delayed_message}");
    this.deadLetterGroups =
        render(
            "SELECT topic, "
                + ERROR_GROUP
                + ", COUNT(*), MAX(failed_at) FROM {outbox_dead_letter} GROUP BY topic, "
                + ERROR_GROUP
                + " ORDER BY 3 DESC, 1");
    this.countDeadLetters = render("SELECT COUNT(*) FROM {outbox_dead_letter}");
    this.deadLetters = render("SELECT " + DEAD_LETTER_COLUMNS + " FROM {outbox_dead_letter}");
    this.deadLettersOfKey =
        render(
            "SELECT "
                + DEAD_LETTER_COLUMNS
                + " FROM {outbox_dead_letter} WHERE partition_no = ? AND message_key = ?"
                + " ORDER BY outbox_id");
    this.deadLetter =
        render(
            "SELECT "
                + DEAD_LETTER_COLUMNS
                + ", payload, headers FROM {outbox_dead_letter} WHERE id = ?");
    this.pendingOfKey =
        render(
            """
            SELECT SUM(CASE WHEN id < ? THEN 1 ELSE 0 END), SUM(CASE WHEN id > ? THEN 1 ELSE 0 END)
            FROM {outbox_message} WHERE partition_no = ? AND message_key = ?""");
    this.delayed =
        render(
            "SELECT id, message_id, topic, message_key, cancel_key, created_at, deliver_at FROM"
                + " {delayed_message}");
    this.cancelDelayed = render("DELETE FROM {delayed_message} WHERE id IN ");
    this.insertAudit =
        render(
            "INSERT INTO {outpost_admin_audit} (performed_at, operator, origin, action, filter,"
                + " matched, affected) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.latestAudit =
        render(
            "SELECT id, performed_at, operator, origin, action, filter, matched, affected FROM"
                + " {outpost_admin_audit} ORDER BY id DESC LIMIT ?");
  }

  /** The statements for {@code dialect}, on the tables of {@code schema}. */
  static AdminSql of(Dialect dialect, String schema) {
    return switch (dialect) {
      case POSTGRESQL -> new PostgresAdminSql(schema);
      case MYSQL -> new MysqlAdminSql(schema);
    };
  }

  /** The dialect. */
  final Dialect dialect() {
    return template.dialect();
  }

  /** The quoted, qualified name of {@code table}. */
  final String table(String table) {
    return template.table(table);
  }

  /**
   * The highest id the outbox's id counter has handed out, counting rows published (deleted) since;
   * one row and column, binds {@link #issuedOutboxIdArgs()}.
   */
  abstract String issuedOutboxId();

  /** The binds of {@link #issuedOutboxId()}. */
  abstract List<Object> issuedOutboxIdArgs();

  /**
   * A statement to run first on the connection that runs {@link #issuedOutboxId()}, or null.
   *
   * @param product the server's product name and version as the driver reports them
   */
  abstract String beforeIssuedOutboxId(String product);

  /** {@code WHERE} clause for {@code q}; appends its binds to {@code args}. */
  final String where(DeadLetterQuery q, List<Object> args) {
    String errorPattern =
        q.errorContains() == null
            ? null
            : "%" + likeEscape(q.errorContains().toLowerCase(Locale.ROOT)) + "%";
    return new Where(args)
        .in("id", q.ids())
        .in("message_id", q.messageIds())
        .and("topic = ?", q.topic())
        .and("message_key = ?", q.key())
        .and("failed_at >= ?", q.failedFrom())
        .and("failed_at < ?", q.failedBefore())
        // '!' as the escape character: the same on both databases (MySQL's default is '\')
        .and("LOWER(last_error) LIKE ? ESCAPE '!'", errorPattern)
        .toString();
  }

  /** {@code WHERE} clause for {@code q}; appends its binds to {@code args}. */
  final String where(DelayedQuery q, List<Object> args) {
    return new Where(args)
        .in("id", q.ids())
        .and("topic = ?", q.topic())
        .and("cancel_key = ?", q.cancelKey())
        .and("deliver_at < ?", q.dueBefore())
        .toString();
  }

  /** A {@code WHERE} clause of AND-ed conditions, each only where its value is given. */
  private static final class Where {
    private final StringBuilder sql = new StringBuilder(" WHERE 1 = 1");
    private final List<Object> args;

    Where(List<Object> args) {
      this.args = args;
    }

    /** {@code condition}, with one {@code ?} bound to {@code value}; nothing if it is null. */
    Where and(String condition, Object value) {
      if (value != null) {
        sql.append(" AND ").append(condition);
        args.add(value);
      }
      return this;
    }

    /** {@code column IN (?, ...)} bound to {@code values}; nothing if there are none. */
    Where in(String column, List<?> values) {
      if (!values.isEmpty()) {
        sql.append(" AND ").append(column).append(" IN ").append(marks(values.size()));
        args.addAll(values);
      }
      return this;
    }

    @Override
    public String toString() {
      return sql.toString();
    }
  }

  /** {@code (?, ?, ...)} with {@code count} marks. */
  static String marks(int count) {
    return "(" + String.join(", ", Collections.nCopies(count, "?")) + ")";
  }

  private static String likeEscape(String s) {
    return s.replace("!", "!!").replace("%", "!%").replace("_", "!_");
  }

  private String render(String sql) {
    return template.render(sql);
  }
}
