package dev.outpost.outbox.schema;

import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.impl.DSL;
import org.jooq.impl.SQLDataType;

/** {@code outbox_dead_letter}: messages that failed too often, kept for inspection and replay. */
public final class DeadLetterTable extends MessageTable {
  /** The {@code outbox_message.id} the message had. */
  public final Field<Long> outboxId;

  /** When the message was dead-lettered. */
  public final Field<OffsetDateTime> failedAt;

  /** Publish attempts made. */
  public final Field<Integer> attempts;

  /** The last error. */
  public final Field<String> lastError;

  DeadLetterTable(String schema) {
    super(schema, "outbox_dead_letter");
    var name = DSL.name(schema, "outbox_dead_letter");
    this.outboxId = field(name, "outbox_id", SQLDataType.BIGINT);
    this.failedAt = field(name, "failed_at", SQLDataType.TIMESTAMPWITHTIMEZONE);
    this.attempts = field(name, "attempts", SQLDataType.INTEGER);
    this.lastError = field(name, "last_error", SQLDataType.CLOB);
  }
}
