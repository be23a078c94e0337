package dev.outpost.outbox.schema;

import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** {@code relay_instance}: live relay instances, so each can compute its fair share. */
public final class RelayInstanceTable {
  /** The table. */
  public final Table<Record> table;

  /** Instance id; primary key. */
  public final Field<String> instanceId;

  /** Last heartbeat. */
  public final Field<OffsetDateTime> heartbeatAt;

  /** When the instance counts as gone without a new heartbeat. */
  public final Field<OffsetDateTime> expiresAt;

  RelayInstanceTable(String schema) {
    Name name = DSL.name(schema, "relay_instance");
    this.table = DSL.table(name);
    this.instanceId = DSL.field(name.append("instance_id"), SQLDataType.CLOB);
    this.heartbeatAt = DSL.field(name.append("heartbeat_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.expiresAt = DSL.field(name.append("expires_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
  }
}
