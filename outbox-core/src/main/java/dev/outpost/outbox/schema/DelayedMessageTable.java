package dev.outpost.outbox.schema;

import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** {@code delayed_message}: messages moved into the outbox when due. */
public final class DelayedMessageTable extends MessageTable {
  /** When the message is due. */
  public final Field<OffsetDateTime> deliverAt;

  /** Cancel key, unique per topic; nullable. */
  public final Field<String> cancelKey;

  DelayedMessageTable(String schema) {
    super(schema, "delayed_message");
    var name = DSL.name(schema, "delayed_message");
    this.deliverAt = field(name, "deliver_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.cancelKey = field(name, "cancel_key", SQLDataType.CLOB);
  }
}
