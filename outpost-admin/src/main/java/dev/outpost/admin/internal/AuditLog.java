package dev.outpost.admin.internal;

import dev.outpost.admin.internal.Rows.AuditRow;
import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.OutpostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/**
 * Statements on {@code outpost_admin_audit}, the admin's own table (SQL in {@link AdminSql}).
 * Thread-safe.
 */
public final class AuditLog {

  /** The audit table's name (created by migration V4). */
  public static final String TABLE = OutpostTableNames.ADMIN_AUDIT;

  private final DataSource dataSource;
  private final AdminSql sql;
  private final Dialect dialect;
  private final String table;

  /** The audit table of {@code schema} in a {@code dialect} database. */
  public AuditLog(DataSource dataSource, Dialect dialect, String schema) {
    this.dataSource = dataSource;
    this.sql = AdminSql.of(dialect, schema);
    this.dialect = dialect;
    this.table = sql.table(TABLE);
  }

  /** Writes one audit row. */
  public void record(
      Instant at,
      String operator,
      String origin,
      String action,
      String filter,
      long matched,
      long affected) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.insertAudit)) {
      JdbcValues.setTime(s, 1, dialect, at);
      s.setString(2, operator);
      s.setString(3, origin);
      s.setString(4, action);
      s.setString(5, filter);
      s.setLong(6, matched);
      s.setLong(7, affected);
      s.executeUpdate();
    } catch (SQLException e) {
      throw new OutpostException(
          "could not write the audit row into "
              + table
              + ": "
              + e.getMessage()
              + (dialect.isMissingTable(e)
                  ? ". The table is missing: run OutpostMigrations (version 4 or later) first."
                  : ""),
          e);
    }
  }

  /** The latest {@code limit} audit rows, newest first. */
  public List<AuditRow> latest(int limit) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql.latestAudit)) {
      s.setInt(1, limit);
      List<AuditRow> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new AuditRow(
                  rs.getLong(1),
                  JdbcValues.getTime(rs, 2, dialect).toInstant(),
                  rs.getString(3),
                  rs.getString(4),
                  rs.getString(5),
                  rs.getString(6),
                  rs.getLong(7),
                  rs.getLong(8)));
        }
      }
      return rows;
    } catch (SQLException e) {
      throw new OutpostException("could not read " + table + ": " + e.getMessage(), e);
    }
  }
}
