package dev.outpost.outbox.schema;

import dev.outpost.common.Check;
import dev.outpost.common.OutpostTableNames;

/**
 * jOOQ definitions of Outpost's tables in one schema. The names come from configuration (users put
 * Outpost's tables in a schema of their own), so these are hand-written {@code Table}/{@code Field}
 * definitions over {@code DSL.name(schema, table)} rather than generated classes. Immutable and
 * thread-safe.
 */
public final class OutpostSchema {

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
    Check.identifier("schema", schema);
    return new OutpostSchema(schema);
  }

  /** The tables in the default schema {@value OutpostTableNames#DEFAULT_SCHEMA}. */
  public static OutpostSchema defaultSchema() {
    return named(OutpostTableNames.DEFAULT_SCHEMA);
  }

  /** The schema name. */
  public String name() {
    return name;
  }
}
