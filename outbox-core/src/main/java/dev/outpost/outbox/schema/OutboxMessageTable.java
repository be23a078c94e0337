package dev.outpost.outbox.schema;

import dev.outpost.common.OutpostTableNames;
import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** {@code outbox_message}: committed messages waiting for the relay. */
public final class OutboxMessageTable extends MessageTable {
  /** Earliest time of the next publish attempt (backoff). */
  public final Field<OffsetDateTime> availableAt;

  /** Failed publish attempts so far. */
  public final Field<Integer> attempts;

  /** Last publish error; nullable. */
  public final Field<String> lastError;

  OutboxMessageTable(String schema) {
    super(schema, OutpostTableNames.OUTBOX_MESSAGE);
    var name = DSL.name(schema, OutpostTableNames.OUTBOX_MESSAGE);
    this.availableAt = field(name, "available_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.attempts = field(name, "attempts", SQLDataType.INTEGER);
    this.lastError = field(name, "last_error", SQLDataType.CLOB);
  }
}
