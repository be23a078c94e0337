package dev.outpost.outbox.schema;

import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.Name;
import org.jooq.Record;
import org.jooq.Table;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** {@code relay_lease}: which relay owns which partition, until when, with which fencing token. */
public final class RelayLeaseTable {
  /** The table. */
  public final Table<Record> table;

  /** Partition number; primary key. */
  public final Field<Integer> partitionNo;

  /** Owning relay instance id; null when free. */
  public final Field<String> owner;

  /** Lease expiry; null when free. */
  public final Field<OffsetDateTime> expiresAt;

  /** Increased on every change of owner; checked when rows are deleted. */
  public final Field<Long> fencingToken;

  RelayLeaseTable(String schema) {
    Name name = DSL.name(schema, "relay_lease");
    this.table = DSL.table(name);
    this.partitionNo = DSL.field(name.append("partition_no"), SQLDataType.INTEGER);
    this.owner = DSL.field(name.append("owner"), SQLDataType.CLOB);
    this.expiresAt = DSL.field(name.append("expires_at"), SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.fencingToken = DSL.field(name.append("fencing_token"), SQLDataType.BIGINT);
  }
}
