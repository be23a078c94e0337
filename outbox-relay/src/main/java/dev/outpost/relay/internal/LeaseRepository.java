package dev.outpost.relay.internal;

import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Statements on {@code relay_lease}: one row per partition with owner, expiry and fencing token.
 * One implementation per dialect; callers pass an auto-commit connection. Thread-safe.
 */
interface LeaseRepository {

  /** The statements for {@code schema}'s dialect. */
  static LeaseRepository of(OutpostSchema schema) {
    return switch (schema.dialect()) {
      case POSTGRESQL -> new PostgresLeaseRepository(schema);
      case MYSQL -> new MysqlLeaseRepository(schema);
    };
  }

  /** What the lease table holds: row count and partition number range. */
  record Layout(long rows, int minPartition, int maxPartition) {}

  /** The lease table's current layout. */
  Layout layout(Connection c) throws SQLException;

  /** Creates the lease rows of partitions 0..partitions-1 that do not exist yet. */
  int insertMissing(Connection c, int partitions) throws SQLException;

  /**
   * Takes up to {@code limit} free or expired partitions for {@code owner} until {@code until},
   * each with its fencing token incremented. Two relays can never both take one partition.
   */
  List<LeaseToken> acquire(Connection c, String owner, Instant now, Instant until, int limit)
      throws SQLException;

  /** Extends the given leases to {@code until}; returns the partitions still held. */
  Set<Integer> renew(Connection c, String owner, List<LeaseToken> held, Instant until)
      throws SQLException;

  /** Gives a lease up; false if it was no longer held. */
  boolean release(Connection c, LeaseToken lease) throws SQLException;
}
