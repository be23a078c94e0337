package dev.outpost.outbox.schema;

import java.time.OffsetDateTime;
import java.util.UUID;
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

  /** Defines the shared columns of table {@code tableName} in {@code schema}. */
  protected MessageTable(String schema, String tableName) {
    Name name = DSL.name(schema, tableName);
    this.table = DSL.table(name);
    this.id = field(name, "id", SQLDataType.BIGINT);
    this.messageId = field(name, "message_id", SQLDataType.UUID);
    this.topic = field(name, "topic", SQLDataType.CLOB);
    this.messageKey = field(name, "message_key", SQLDataType.CLOB);
    this.partitionNo = field(name, "partition_no", SQLDataType.INTEGER);
    this.payload = field(name, "payload", SQLDataType.BLOB);
    this.headers = field(name, "headers", SQLDataType.JSONB);
    this.createdAt = field(name, "created_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
  }

  /** A column of this table, qualified with the table's name. */
  protected static <T> Field<T> field(Name table, String column, org.jooq.DataType<T> type) {
    return DSL.field(table.append(column), type);
  }
}
