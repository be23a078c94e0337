package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.outbox.schema.MessageTable;
import java.time.OffsetDateTime;
import org.jooq.Field;
import org.jooq.impl.SQLDataType;

/**
 * jOOQ definition of {@code outbox_dead_letter} (messages that failed too often, kept for
 * inspection and replay), for the dynamic filters of {@link DeadLetterRepository}, the table's one
 * owner.
 */
final class DeadLetterTable extends MessageTable {
  /** The {@code outbox_message.id} the message had. */
  final Field<Long> outboxId;

  /** When the message was dead-lettered. */
  final Field<OffsetDateTime> failedAt;

  /** Publish attempts made. */
  final Field<Integer> attempts;

  /** The last error. */
  final Field<String> lastError;

  DeadLetterTable(Dialect dialect, String schema) {
    super(dialect, schema, OutpostTableNames.OUTBOX_DEAD_LETTER);
    var name = tableName(dialect, schema, OutpostTableNames.OUTBOX_DEAD_LETTER);
    this.outboxId = field(name, "outbox_id", SQLDataType.BIGINT);
    this.failedAt = field(name, "failed_at", timeType(dialect));
    this.attempts = field(name, "attempts", SQLDataType.INTEGER);
    this.lastError = field(name, "last_error", SQLDataType.CLOB);
  }
}
