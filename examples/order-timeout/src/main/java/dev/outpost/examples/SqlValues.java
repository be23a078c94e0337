package dev.outpost.examples;

import dev.outpost.common.Dialect;
import java.nio.ByteBuffer;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * The app's two column types that differ per database, bound and read the way Outpost's own tables
 * do: ids ({@code uuid} on PostgreSQL, {@code BINARY(16)} big-endian on MySQL/MariaDB) and times
 * ({@code timestamptz} on PostgreSQL, {@code DATETIME(6)} holding UTC on MySQL/MariaDB, never
 * shifted by the JVM's or the session's time zone).
 */
final class SqlValues {

  private SqlValues() {}

  static void setId(PreparedStatement statement, int index, Dialect dialect, UUID id)
      throws SQLException {
    if (dialect == Dialect.MYSQL) {
      statement.setBytes(
          index,
          ByteBuffer.allocate(16)
              .putLong(id.getMostSignificantBits())
              .putLong(id.getLeastSignificantBits())
              .array());
    } else {
      statement.setObject(index, id);
    }
  }

  static UUID getId(ResultSet rs, int index, Dialect dialect) throws SQLException {
    if (dialect == Dialect.MYSQL) {
      ByteBuffer bytes = ByteBuffer.wrap(rs.getBytes(index));
      return new UUID(bytes.getLong(), bytes.getLong());
    }
    return rs.getObject(index, UUID.class);
  }

  static void setTime(PreparedStatement statement, int index, Dialect dialect, Instant time)
      throws SQLException {
    if (time == null) {
      statement.setNull(index, Types.TIMESTAMP);
    } else if (dialect == Dialect.MYSQL) {
      statement.setObject(index, LocalDateTime.ofInstant(time, ZoneOffset.UTC));
    } else {
      statement.setObject(index, time.atOffset(ZoneOffset.UTC));
    }
  }

  static Instant getTime(ResultSet rs, int index, Dialect dialect) throws SQLException {
    if (dialect == Dialect.MYSQL) {
      LocalDateTime local = rs.getObject(index, LocalDateTime.class);
      return local == null ? null : local.toInstant(ZoneOffset.UTC);
    }
    OffsetDateTime time = rs.getObject(index, OffsetDateTime.class);
    return time == null ? null : time.toInstant();
  }
}
