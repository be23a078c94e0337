package dev.outpost.dedup;

import java.sql.SQLException;

/**
 * Business work run by {@link Dedup#processOnce(java.sql.Connection, String, java.util.UUID,
 * SqlWork)} on the caller's JDBC connection. It may throw {@link SQLException}; {@code processOnce}
 * wraps it into a {@link DedupException}.
 */
@FunctionalInterface
public interface SqlWork {

  /**
   * Does the work; runs at most once per {@code (consumer, message id)} in effect.
   *
   * @throws SQLException when a statement of the work fails; the caller must roll back
   */
  void run() throws SQLException;
}
