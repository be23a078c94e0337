package dev.outpost.admin.internal;

import dev.outpost.admin.internal.Rows.AuditRow;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;

/** Statements on {@code outpost_admin_audit}, the admin's own table. Thread-safe. */
public final class AuditLog {

  /** The audit table's name (created by migration V4). */
  public static final String TABLE = "outpost_admin_audit";

  private final DataSource dataSource;
  private final String table;

  /** The audit table of {@code schema}. */
  public AuditLog(DataSource dataSource, String schema) {
    this.dataSource = dataSource;
    this.table = OutpostSchema.named(schema).name() + "." + TABLE;
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
    String sql =
        "INSERT INTO "
            + table
            + " (performed_at, operator, origin, action, filter, matched, affected)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)";
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setTimestamp(1, Timestamp.from(at));
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
              + ("42P01".equals(e.getSQLState())
                  ? ". The table is missing: run OutpostMigrations (version 4 or later) first."
                  : ""),
          e);
    }
  }

  /** The latest {@code limit} audit rows, newest first. */
  public List<AuditRow> latest(int limit) {
    String sql =
        "SELECT id, performed_at, operator, origin, action, filter, matched, affected FROM "
            + table
            + " ORDER BY id DESC LIMIT ?";
    try (Connection c = dataSource.getConnection();
        PreparedStatement s = c.prepareStatement(sql)) {
      s.setInt(1, limit);
      List<AuditRow> rows = new ArrayList<>();
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          rows.add(
              new AuditRow(
                  rs.getLong(1),
                  rs.getTimestamp(2).toInstant(),
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
