package dev.outpost.outbox.schema;

import dev.outpost.migrations.OutpostMigrations;
import java.util.regex.Pattern;

/**
 * jOOQ definitions of Outpost's tables in one schema. The names come from configuration (users put
 * Outpost's tables in a schema of their own), so these are hand-written {@code Table}/{@code Field}
 * definitions over {@code DSL.name(schema, table)} rather than generated classes. Immutable and
 * thread-safe.
 */
public final class OutpostSchema {

  static {
    dev.outpost.outbox.internal.QuietJooq.apply(); // before the first statement is rendered
  }

  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

  private final String name;

  /** {@code outbox_message}. */
  public final OutboxMessageTable outboxMessage;

  /** {@code outbox_dead_letter}. */
  public final DeadLetterTable deadLetter;

  /** {@code delayed_message}. */
  public final DelayedMessageTable delayedMessage;

  /** {@code relay_lease}. */
  public final RelayLeaseTable relayLease;

  /** {@code relay_instance}. */
  public final RelayInstanceTable relayInstance;

  private OutpostSchema(String name) {
    this.name = name;
    this.outboxMessage = new OutboxMessageTable(name);
    this.deadLetter = new DeadLetterTable(name);
    this.delayedMessage = new DelayedMessageTable(name);
    this.relayLease = new RelayLeaseTable(name);
    this.relayInstance = new RelayInstanceTable(name);
  }

  /**
   * The tables in {@code schema}.
   *
   * @throws IllegalArgumentException if {@code schema} is not a plain lower-case identifier
   */
  public static OutpostSchema named(String schema) {
    if (schema == null || !IDENTIFIER.matcher(schema).matches()) {
      throw new IllegalArgumentException(
          "schema '"
              + schema
              + "' is not a plain lower-case PostgreSQL identifier; use 1-63 characters of"
              + " [a-z0-9_], not starting with a digit");
    }
    return new OutpostSchema(schema);
  }

  /** The tables in the default schema {@value OutpostMigrations#DEFAULT_SCHEMA}. */
  public static OutpostSchema defaultSchema() {
    return named(OutpostMigrations.DEFAULT_SCHEMA);
  }

  /** The schema name. */
  public String name() {
    return name;
  }
}
