package dev.outpost.common.internal;

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
 * How Outpost's two column types that differ per database are bound and read: message ids ({@code
 * uuid} on PostgreSQL, {@code BINARY(16)} big-endian on MySQL/MariaDB, so UUIDv7 ids sort by time)
 * and times ({@code timestamptz} on PostgreSQL, {@code DATETIME(6)} holding UTC on MySQL/MariaDB,
 * never converted by the session time zone). Stateless.
 */
public final class JdbcValues {

  private JdbcValues() {}

  /** Binds a message id. */
  public static void setUuid(PreparedStatement statement, int index, Dialect dialect, UUID id)
      throws SQLException {
    if (dialect == Dialect.MYSQL) {
      statement.setBytes(index, id == null ? null : toBytes(id));
    } else {
      statement.setObject(index, id);
    }
  }

  /** Reads a message id. */
  public static UUID getUuid(ResultSet rs, int index, Dialect dialect) throws SQLException {
    if (dialect == Dialect.MYSQL) {
      byte[] bytes = rs.getBytes(index);
      return bytes == null ? null : fromBytes(bytes);
    }
    return rs.getObject(index, UUID.class);
  }

  /** Binds a point in time. */
  public static void setTime(
      PreparedStatement statement, int index, Dialect dialect, OffsetDateTime time)
      throws SQLException {
    if (dialect == Dialect.MYSQL) {
      if (time == null) {
        statement.setNull(index, Types.TIMESTAMP);
      } else {
        statement.setObject(index, time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime());
      }
    } else {
      statement.setObject(index, time);
    }
  }

  /** Binds a point in time. */
  public static void setTime(PreparedStatement statement, int index, Dialect dialect, Instant time)
      throws SQLException {
    setTime(statement, index, dialect, time == null ? null : time.atOffset(ZoneOffset.UTC));
  }

  /** Reads a point in time (UTC offset on MySQL/MariaDB). */
  public static OffsetDateTime getTime(ResultSet rs, int index, Dialect dialect)
      throws SQLException {
    if (dialect == Dialect.MYSQL) {
      LocalDateTime local = rs.getObject(index, LocalDateTime.class);
      return local == null ? null : local.atOffset(ZoneOffset.UTC);
    }
    return rs.getObject(index, OffsetDateTime.class);
  }

  /** The 16 bytes of {@code id}, most significant first. */
  public static byte[] toBytes(UUID id) {
    return ByteBuffer.allocate(16)
        .putLong(id.getMostSignificantBits())
        .putLong(id.getLeastSignificantBits())
        .array();
  }

  /** The id of 16 big-endian bytes. */
  public static UUID fromBytes(byte[] bytes) {
    if (bytes.length != 16) {
      throw new IllegalArgumentException("message id has " + bytes.length + " bytes; allowed 16");
    }
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    return new UUID(buffer.getLong(), buffer.getLong());
  }
}
