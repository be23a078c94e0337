package dev.outpost.admin.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import java.util.List;

/**
 * The admin's SQL on PostgreSQL: the outbox's id counter is its identity sequence, read with {@code
 * pg_sequence_last_value} (no row lock, no increment; NULL before the first id). Immutable and
 * thread-safe.
 */
final class PostgresAdminSql extends AdminSql {

  private final String issuedOutboxId =
      "SELECT pg_sequence_last_value(CAST(pg_get_serial_sequence(?, 'id') AS regclass))";

  PostgresAdminSql(String schema) {
    super(Dialect.POSTGRESQL, schema);
  }

  @Override
  String issuedOutboxId() {
    return issuedOutboxId;
  }

  @Override
  List<Object> issuedOutboxIdArgs() {
    // pg_get_serial_sequence parses its argument as a (quoted, qualified) table name
    return List.of(table(OutpostTableNames.OUTBOX_MESSAGE));
  }

  @Override
  String beforeIssuedOutboxId(String product) {
    return null;
  }
}
