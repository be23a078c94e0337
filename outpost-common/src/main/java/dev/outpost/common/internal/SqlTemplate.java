package dev.outpost.common.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one way Outpost puts table names into SQL text: a statement is written as a text block with
 * the table's name in braces ({@code SELECT ... FROM {outbox_message} o}), and rendered once, at
 * construction, with every token replaced by the schema-qualified, quoted name for the dialect.
 * Values are always JDBC {@code ?} binds; the rendered string then runs as a plain prepared
 * statement (no per-call rendering on the hot paths).
 */
public final class SqlTemplate {

  private static final List<String> TABLES =
      List.of(
          OutpostTableNames.OUTBOX_MESSAGE,
          OutpostTableNames.OUTBOX_DEAD_LETTER,
          OutpostTableNames.DELAYED_MESSAGE,
          OutpostTableNames.DEDUP_KEY,
          OutpostTableNames.RELAY_LEASE,
          OutpostTableNames.RELAY_INSTANCE,
          OutpostTableNames.ADMIN_AUDIT);

  private static final Pattern LEFTOVER = Pattern.compile("\\{[a-z_]+}");

  private final Dialect dialect;
  private final String schema;

  /** Renders for tables in {@code schema} (a checked, plain lower-case identifier). */
  public SqlTemplate(Dialect dialect, String schema) {
    this.dialect = Check.notNull("dialect", dialect);
    this.schema = Check.identifier("schema", schema);
  }

  /** The dialect statements are rendered for. */
  public Dialect dialect() {
    return dialect;
  }

  /** The schema of the tables. */
  public String schema() {
    return schema;
  }

  /** The qualified, quoted name of {@code table} (one of {@link OutpostTableNames}). */
  public String table(String table) {
    if (!TABLES.contains(table)) {
      throw new IllegalArgumentException("table is '" + table + "'; allowed: " + TABLES);
    }
    return dialect.qualify(schema, table);
  }

  /**
   * {@code template} with every {@code {table_name}} token replaced.
   *
   * @throws IllegalArgumentException if a token names no Outpost table (a typo)
   */
  public String render(String template) {
    String sql = template;
    for (String table : TABLES) {
      sql = sql.replace('{' + table + '}', dialect.qualify(schema, table));
    }
    Matcher leftover = LEFTOVER.matcher(sql);
    if (leftover.find()) {
      throw new IllegalArgumentException(
          "template token is " + leftover.group() + "; allowed: {table} for a table of " + TABLES);
    }
    return sql;
  }
}
