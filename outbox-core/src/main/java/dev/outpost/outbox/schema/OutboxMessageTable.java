package dev.outpost.outbox.schema;

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
    super(schema, "outbox_message");
    var name = DSL.name(schema, "outbox_message");
    this.availableAt = field(name, "available_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.attempts = field(name, "attempts", SQLDataType.INTEGER);
    this.lastError = field(name, "last_error", SQLDataType.CLOB);
  }
}
