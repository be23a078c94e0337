package dev.outpost.migrations;

/** Names of the tables the migrations create; the schema is configured separately. */
public final class OutpostTableNames {
  /** Committed messages waiting for the relay. */
  public static final String OUTBOX_MESSAGE = "outbox_message";

  /** Messages that failed too often. */
  public static final String OUTBOX_DEAD_LETTER = "outbox_dead_letter";

  /** Messages to move into the outbox when due. */
  public static final String DELAYED_MESSAGE = "delayed_message";

  /** Processed message ids per consumer. */
  public static final String DEDUP_KEY = "dedup_key";

  /** Partition ownership of relays. */
  public static final String RELAY_LEASE = "relay_lease";

  /** Live relay instances. */
  public static final String RELAY_INSTANCE = "relay_instance";

  /** Prefix of Quartz's tables (lower-case, as PostgreSQL folds the DDL's names). */
  public static final String QUARTZ_TABLE_PREFIX = "qrtz_";

  /** Channel of the notification raised once per transaction that wrote outbox rows. */
  public static final String NOTIFY_CHANNEL = "outpost_outbox";

  private OutpostTableNames() {}
}
