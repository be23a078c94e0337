package dev.outpost.outbox.schema;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.Check;
import dev.outpost.common.internal.SqlTemplate;
import org.jooq.SQLDialect;

/**
 * Where Outpost's tables are: the database dialect and the schema. Every repository is built from
 * one of these: text-block statements are rendered with {@link #render(String)} ({@code
 * {table_name}} tokens become the quoted, schema-qualified names of the dialect), statements built
 * with jOOQ's DSL use {@link #jooqDialect()} and the hand-written table definitions of the owning
 * module (here {@link #outboxMessage}; the relay's and the delay scheduler's tables are defined in
 * their modules). Immutable and thread-safe.
 */
public final class OutpostSchema {

  static {
    dev.outpost.outbox.internal.QuietJooq.apply(); // before the first statement is rendered
  }

  private final Dialect dialect;
  private final String name;
  private final SqlTemplate template;

  /** {@code outbox_message}. */
  public final OutboxMessageTable outboxMessage;

  private OutpostSchema(Dialect dialect, String name) {
    this.dialect = dialect;
    this.name = name;
    this.template = new SqlTemplate(dialect, name);
    this.outboxMessage = new OutboxMessageTable(name);
  }

  /**
   * The tables in {@code schema} of a PostgreSQL database.
   *
   * @throws IllegalArgumentException if {@code schema} is not a plain lower-case identifier
   */
  public static OutpostSchema named(String schema) {
    return of(Dialect.POSTGRESQL, schema);
  }

  /**
   * The tables in {@code schema} of a {@code dialect} database.
   *
   * @throws IllegalArgumentException if {@code schema} is not a plain lower-case identifier
   */
  public static OutpostSchema of(Dialect dialect, String schema) {
    Check.notNull("dialect", dialect);
    Check.identifier("schema", schema);
    return new OutpostSchema(dialect, schema);
  }

  /** The tables in the default schema {@value OutpostTableNames#DEFAULT_SCHEMA} of PostgreSQL. */
  public static OutpostSchema defaultSchema() {
    return named(OutpostTableNames.DEFAULT_SCHEMA);
  }

  /** The schema name. */
  public String name() {
    return name;
  }

  /** The database dialect. */
  public Dialect dialect() {
    return dialect;
  }

  /** jOOQ's dialect for {@link #dialect()}. */
  public SQLDialect jooqDialect() {
    return switch (dialect) {
      case POSTGRESQL -> SQLDialect.POSTGRES;
      case MYSQL -> SQLDialect.MYSQL;
    };
  }

  /**
   * {@code template} with each {@code {table_name}} token ({@code {outbox_message}}, {@code
   * {relay_lease}}, ...) replaced by the table's quoted, schema-qualified name.
   *
   * @throws IllegalArgumentException if a token names no Outpost table
   */
  public String render(String template) {
    return this.template.render(template);
  }

  /** The quoted, schema-qualified name of {@code table} (one of {@link OutpostTableNames}). */
  public String table(String table) {
    return template.table(table);
  }
}
