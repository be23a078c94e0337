package dev.outpost.outbox.schema;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.JdbcValues;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jooq.Converter;
import org.jooq.DataType;
import org.jooq.Field;
import org.jooq.JSONB;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/**
 * Columns every message table shares (outbox, dead letter, delayed): jOOQ definitions whose schema
 * and table names come from configuration. Fields are qualified with the table name.
 */
public abstract class MessageTable {

  /** The table. */
  public final Table<Record> table;

  /** Identity in insertion order. */
  public final Field<Long> id;

  /** The stable message id consumers deduplicate on. */
  public final Field<UUID> messageId;

  /** Destination topic. */
  public final Field<String> topic;

  /** Ordering key; nullable. */
  public final Field<String> messageKey;

  /** Logical partition of the key. */
  public final Field<Integer> partitionNo;

  /** Payload bytes. */
  public final Field<byte[]> payload;

  /** Headers as a flat JSON object of strings. */
  public final Field<JSONB> headers;

  /** Creation time. */
  public final Field<OffsetDateTime> createdAt;

  /** Defines the shared columns of table {@code tableName} in {@code schema} of PostgreSQL. */
  protected MessageTable(String schema, String tableName) {
    this(Dialect.POSTGRESQL, schema, tableName);
  }

  /**
   * Defines the shared columns of table {@code tableName} in {@code schema} of a {@code dialect}
   * database. On MySQL/MariaDB the message id is {@code BINARY(16)} and times are {@code
   * DATETIME(6)} in UTC, converted to the same Java types; the default schema is the connection's
   * database (the name is not qualified), as in {@link Dialect#qualify(String, String)}.
   */
  protected MessageTable(Dialect dialect, String schema, String tableName) {
    Name name = tableName(dialect, schema, tableName);
    this.table = DSL.table(name);
    this.id = field(name, "id", SQLDataType.BIGINT);
    this.messageId =
        field(
            name,
            "message_id",
            dialect == Dialect.MYSQL
                ? SQLDataType.BINARY(16)
                    .asConvertedDataType(
                        Converter.ofNullable(
                            byte[].class, UUID.class, JdbcValues::fromBytes, JdbcValues::toBytes))
                : SQLDataType.UUID);
    this.topic = field(name, "topic", SQLDataType.CLOB);
    this.messageKey = field(name, "message_key", SQLDataType.CLOB);
    this.partitionNo = field(name, "partition_no", SQLDataType.INTEGER);
    this.payload = field(name, "payload", SQLDataType.BLOB);
    this.headers = field(name, "headers", SQLDataType.JSONB);
    this.createdAt = field(name, "created_at", timeType(dialect));
  }

  /** The table's name as jOOQ renders it for {@code dialect}. */
  protected static Name tableName(Dialect dialect, String schema, String tableName) {
    return dialect == Dialect.MYSQL && OutpostTableNames.DEFAULT_SCHEMA.equals(schema)
        ? DSL.name(tableName)
        : DSL.name(schema, tableName);
  }

  /** The type of a point-in-time column on {@code dialect}, as an {@link OffsetDateTime}. */
  protected static DataType<OffsetDateTime> timeType(Dialect dialect) {
    if (dialect != Dialect.MYSQL) {
      return SQLDataType.TIMESTAMPWITHTIMEZONE;
    }
    return SQLDataType.LOCALDATETIME(6)
        .asConvertedDataType(
            Converter.ofNullable(
                LocalDateTime.class,
                OffsetDateTime.class,
                local -> local.atOffset(ZoneOffset.UTC),
                time -> time.withOffsetSameInstant(ZoneOffset.UTC).toLocalDateTime()));
  }

  /** A column of this table, qualified with the table's name. */
  protected static <T> Field<T> field(Name table, String column, org.jooq.DataType<T> type) {
    return DSL.field(table.append(column), type);
  }
}
