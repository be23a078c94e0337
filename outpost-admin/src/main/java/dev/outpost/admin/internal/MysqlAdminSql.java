package dev.outpost.admin.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The admin's SQL on MySQL 8.0+ and MariaDB 10.6+: the outbox's id counter is the {@code
 * AUTO_INCREMENT} value of {@code outbox_message} in {@code information_schema.TABLES} (the next id
 * to hand out, so minus one). MariaDB reads it live from InnoDB; MySQL 8 caches that column for
 * {@code information_schema_stats_expiry} seconds (a day by default), so on MySQL the session's
 * expiry is set to 0 first. Immutable and thread-safe.
 */
final class MysqlAdminSql extends AdminSql {

  private static final String ISSUED_OUTBOX_ID =
      """
      SELECT AUTO_INCREMENT - 1 FROM information_schema.TABLES
      WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?""";

  private static final String FRESH_STATISTICS = "SET SESSION information_schema_stats_expiry = 0";

  private final List<Object> issuedOutboxIdArgs;

  MysqlAdminSql(String schema) {
    super(Dialect.MYSQL, schema);
    // The default schema means the connection's current database (see Dialect.MYSQL).
    String database = OutpostTableNames.DEFAULT_SCHEMA.equals(schema) ? null : schema;
    this.issuedOutboxIdArgs = Arrays.asList(database, OutpostTableNames.OUTBOX_MESSAGE);
  }

  @Override
  String issuedOutboxId() {
    return ISSUED_OUTBOX_ID;
  }

  @Override
  List<Object> issuedOutboxIdArgs() {
    return issuedOutboxIdArgs;
  }

  @Override
  String beforeIssuedOutboxId(String product) {
    boolean mariaDb = product.toLowerCase(Locale.ROOT).contains("mariadb");
    return mariaDb ? null : FRESH_STATISTICS;
  }
}
