package dev.outpost.relay.internal;

import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.SQLException;
import java.util.Map;
import org.jooq.SQLDialect;
import org.jooq.conf.Settings;
import org.jooq.impl.DSL;

/**
 * Renders the relay's Postgres-specific statements once: the table tokens {@code {outbox}}, {@code
 * {dead_letter}}, {@code {lease}} and {@code {instance}} become the qualified, quoted names jOOQ
 * renders for the configured schema, so no configured name is ever pasted into SQL unquoted. The
 * hot path then runs plain prepared statements (no per-call rendering).
 */
final class SqlText {

  static {
    dev.outpost.outbox.internal.QuietJooq.apply(); // before the first statement is rendered
  }

  static final Settings SETTINGS = new Settings().withExecuteLogging(false);

  private SqlText() {}

  static String render(String template, OutpostSchema schema) {
    var dsl = DSL.using(SQLDialect.POSTGRES, SETTINGS);
    Map<String, String> names =
        Map.of(
            "{outbox}", dsl.render(schema.outboxMessage.table),
            "{dead_letter}", dsl.render(schema.deadLetter.table),
            "{lease}", dsl.render(schema.relayLease.table),
            "{instance}", dsl.render(schema.relayInstance.table));
    String sql = template;
    for (Map.Entry<String, String> name : names.entrySet()) {
      sql = sql.replace(name.getKey(), name.getValue());
    }
    return sql;
  }

  /** Whether {@code e} says a table or schema is missing (migrations not run). */
  static boolean isMissingTable(SQLException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && ("42P01".equals(s.getSQLState()) || "3F000".equals(s.getSQLState()))) {
        return true;
      }
    }
    return false;
  }
}
