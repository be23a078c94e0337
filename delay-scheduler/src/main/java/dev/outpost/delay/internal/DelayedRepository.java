package dev.outpost.delay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.delay.DuplicateCancelKey;
import dev.outpost.delay.PendingDelayed;
import dev.outpost.delay.ScheduledMessage;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.Causes;
import dev.outpost.outbox.internal.OutboxMessageSql;
import dev.outpost.outbox.internal.PreparedMessage;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;

/**
 * The statements on {@code delayed_message}: one owner per dialect ({@link
 * PostgresDelayedRepository}, {@link MysqlDelayedRepository}); the read-only statements both
 * dialects write alike (the due probes, the pending count) are here. The move into {@code
 * outbox_message} binds the text of that table's owner, {@link OutboxMessageSql}. Rendered once, at
 * construction. Thread -safe.
 */
abstract sealed class DelayedRepository permits PostgresDelayedRepository, MysqlDelayedRepository {

  static {
    dev.outpost.outbox.internal.QuietJooq.apply(); // before the first statement is rendered
  }

  /** Seconds a move statement may run before the driver cancels it (a frozen connection). */
  static final int MOVE_TIMEOUT_SECONDS = 120;

  private static final String PENDING =
      """
      SELECT count(*), min(deliver_at) FROM {delayed_message}
      """;

  private static final String ANY_DUE =
      """
      SELECT EXISTS (SELECT 1 FROM {delayed_message} WHERE deliver_at <= ?)
      """;

  private static final String NEXT_DUE =
      """
      SELECT min(deliver_at) FROM {delayed_message}
      """;

  final Dialect dialect;
  final String delayedTable;
  private final String anyDueSql;
  private final String pendingSql;
  private final String nextDueSql;

  DelayedRepository(OutpostSchema schema) {
    this.dialect = schema.dialect();
    this.delayedTable = schema.table(OutpostTableNames.DELAYED_MESSAGE);
    this.anyDueSql = schema.render(ANY_DUE);
    this.nextDueSql = schema.render(NEXT_DUE);
    this.pendingSql = schema.render(PENDING);
  }

  /** The repository of {@code schema}'s dialect; {@code policy} decides a duplicate cancel key. */
  static DelayedRepository of(OutpostSchema schema, DuplicateCancelKey policy) {
    return switch (schema.dialect()) {
      case POSTGRESQL -> new PostgresDelayedRepository(schema, policy);
      case MYSQL -> new MysqlDelayedRepository(schema, policy);
    };
  }

  /**
   * Inserts a delayed message, or with a pending {@code cancelKey} applies the duplicate policy.
   */
  abstract ScheduledMessage insert(
      Connection connection, PreparedMessage message, OffsetDateTime deliverAt, String cancelKey);

  /**
   * Takes the schema's move lock, waiting for a move of another node to commit. Hold it until the
   * transaction ends, then call {@link #unlockMoves}.
   */
  abstract void lockMoves(Connection connection);

  /** Releases the move lock after the transaction ended (commit or rollback); idempotent. */
  void unlockMoves(Connection connection) {}

  /**
   * Moves up to {@code limit} messages due at {@code now} into the outbox, oldest first, under the
   * move lock.
   *
   * @param skipDuplicates drop due messages whose id is already in the outbox (slower)
   * @throws DuplicateMessageId without {@code skipDuplicates}, if a moved message's id is already
   *     in the outbox; roll back and repeat with {@code skipDuplicates}
   */
  abstract MovedBatch moveDue(
      Connection connection, OffsetDateTime now, int limit, boolean skipDuplicates);

  /**
   * Whether sweeps must run at READ COMMITTED: on MySQL/MariaDB, REPEATABLE READ (their default)
   * would take gap locks on the due index, blocking the writers' inserts of later due times.
   */
  boolean sweepsReadCommitted() {
    return false;
  }

  /** The statement a plan test explains (the move, or its locking read on MySQL). */
  abstract String moveDueSql();

  /** Deletes the pending message of {@code topic} and {@code cancelKey}; true if there was one. */
  abstract boolean cancel(Connection connection, String topic, String cancelKey);

  /** Sets the due time of the pending message of {@code topic} and {@code cancelKey}. */
  abstract boolean reschedule(
      Connection connection, String topic, String cancelKey, OffsetDateTime deliverAt);

  /** How many messages are pending and the earliest due time among them. */
  PendingDelayed pending(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(pendingSql);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      OffsetDateTime next = JdbcValues.getTime(rs, 2, dialect);
      return new PendingDelayed(rs.getLong(1), next == null ? null : next.toInstant());
    } catch (SQLException e) {
      throw failure("could not count the pending delayed messages", e);
    }
  }

  /**
   * Whether any message is due at {@code now}: an index-only probe, so an idle sweep runs no INSERT
   * (whose statement trigger would wake every relay for nothing) and takes no lock.
   */
  boolean anyDue(Connection connection, OffsetDateTime now) {
    try (PreparedStatement statement = connection.prepareStatement(anyDueSql)) {
      JdbcValues.setTime(statement, 1, dialect, now);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw failure("could not look for due messages", e);
    }
  }

  /**
   * The earliest due time of a pending message (an index probe), or null when none is pending. Rows
   * of uncommitted transactions are not seen.
   */
  OffsetDateTime nextDue(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(nextDueSql)) {
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return JdbcValues.getTime(rs, 1, dialect);
      }
    } catch (SQLException e) {
      throw failure("could not read the next due time", e);
    }
  }

  /** A due message's id is already in the outbox (the outbox's unique key on message_id). */
  static final class DuplicateMessageId extends OutpostException {
    private static final long serialVersionUID = 1L;

    DuplicateMessageId(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /**
   * One move's outcome.
   *
   * @param removed rows deleted from {@code delayed_message}
   * @param inserted rows inserted into {@code outbox_message} (fewer than removed only for message
   *     ids already in the outbox)
   * @param oldestDueAt due time of the oldest removed row, null when none
   */
  record MovedBatch(long removed, long inserted, OffsetDateTime oldestDueAt) {}

  final OutpostException failure(String what, SQLException e) {
    String hint =
        dialect.isMissingTable(e)
            ? " The table does not exist: run OutpostMigrations.migrate(dataSource) for this"
                + " schema first."
            : "";
    return new OutpostException(
        what + " in " + delayedTable + ": " + Causes.describe(e) + '.' + hint, e);
  }
}
