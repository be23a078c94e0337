package dev.outpost.common;

/**
 * Names of Outpost's tables, written once: the migrations create them, the owning module's table
 * definitions and repositories use them. The schema is configured separately.
 */
public final class OutpostTableNames {
  /** The schema Outpost's tables live in when none is configured. */
  public static final String DEFAULT_SCHEMA = "public";

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

  /** Operator actions of the admin CLI and console (migration V4). */
  public static final String ADMIN_AUDIT = "outpost_admin_audit";

  /** Prefix of Quartz's tables (lower-case, as PostgreSQL folds the DDL's names). */
  public static final String QUARTZ_TABLE_PREFIX = "qrtz_";

  /** Channel of the notification raised once per transaction that wrote outbox rows. */
  public static final String NOTIFY_CHANNEL = "outpost_outbox";

  private OutpostTableNames() {}
}
