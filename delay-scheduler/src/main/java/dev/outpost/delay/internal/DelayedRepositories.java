package dev.outpost.delay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.delay.DuplicateCancelKey;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The {@link DelayedRepository} of the database's dialect: the configured one, or detected from the
 * first connection used (the caller's or the sweep's), so building a delay scheduler needs no
 * database. Thread-safe.
 */
final class DelayedRepositories {

  private final String schema;
  private final DuplicateCancelKey policy;
  private volatile DelayedRepository repository;

  DelayedRepositories(String schema, DuplicateCancelKey policy) {
    this(schema, policy, null);
  }

  /** With a non-null {@code dialect}, nothing is detected. */
  DelayedRepositories(String schema, DuplicateCancelKey policy, Dialect dialect) {
    this.schema = schema;
    this.policy = policy;
    if (dialect != null) {
      this.repository = DelayedRepository.of(OutpostSchema.of(dialect, schema), policy);
    }
  }

  /**
   * The repository for the database behind {@code connection}.
   *
   * @throws dev.outpost.common.UnsupportedDatabaseException if Outpost does not support it
   */
  DelayedRepository of(Connection connection) {
    DelayedRepository known = repository;
    if (known != null) {
      return known;
    }
    try {
      known = DelayedRepository.of(OutpostSchema.of(Dialect.detect(connection), schema), policy);
    } catch (SQLException e) {
      throw new OutpostException(
          "could not read the database's product name to pick its statements: " + e.getMessage(),
          e);
    }
    repository = known;
    return known;
  }
}
