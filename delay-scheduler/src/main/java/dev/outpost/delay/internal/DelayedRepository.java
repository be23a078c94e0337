package dev.outpost.delay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
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
import java.util.UUID;

/**
 * The statements on {@code delayed_message}, and the binding of the move into {@code
 * outbox_message} (whose text belongs to that table's owner, {@link OutboxMessageSql}). Rendered
 * once, at construction; each call is one plain prepared statement. Thread-safe.
 */
final class DelayedRepository {

  static {
    dev.outpost.outbox.internal.QuietJooq.apply(); // before the first statement is rendered
  }

  /** Seconds a move statement may run before the driver cancels it (a frozen connection). */
  static final int MOVE_TIMEOUT_SECONDS = 120;

  // RETURNING (xmax = 0) tells an inserted row from one the ON CONFLICT branch updated: the new
  // version of an updated row carries the updating transaction as xmax.
  private static final String INSERT =
      """
      INSERT INTO {delayed_message} AS d (message_id, topic, message_key, partition_no, payload, headers,
                             created_at, deliver_at, cancel_key)
      VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), ?, ?, ?)
      ON CONFLICT (topic, cancel_key) DO UPDATE SET %s
      RETURNING d.message_id, d.deliver_at, (d.xmax = 0) AS inserted
      """;

  private static final String REPLACE_PENDING =
      """
      message_id = excluded.message_id, message_key = excluded.message_key,
        partition_no = excluded.partition_no, payload = excluded.payload,
        headers = excluded.headers, created_at = excluded.created_at,
        deliver_at = excluded.deliver_at\
      """;

  // A no-op update rather than DO NOTHING: it waits for and locks the pending row and returns it,
  // so the caller learns the id and due time of the message that stays.
  private static final String KEEP_PENDING = "cancel_key = d.cancel_key";

  private static final String CANCEL =
      """
      DELETE FROM {delayed_message} WHERE topic = ? AND cancel_key = ?
      """;

  private static final String RESCHEDULE =
      """
      UPDATE {delayed_message} SET deliver_at = ? WHERE topic = ? AND cancel_key = ?
      """;

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

  // One transaction-scoped advisory lock per schema serialises move transactions of all nodes
  // (Quartz sweeps, in-node timer sweeps, runOnce), so batches reach the outbox in due order even
  // when two nodes sweep at the same moment. The key is derived from the table name.
  private static final String MOVE_LOCK = "SELECT pg_advisory_xact_lock(hashtext(?))";

  private final ScheduledMessage.Outcome conflictOutcome;
  private final Dialect dialect;
  private final String delayedTable;
  private final String insertSql;
  private final String cancelSql;
  private final String rescheduleSql;
  private final String anyDueSql;
  private final String pendingSql;
  private final String nextDueSql;
  private final String moveDueSql;
  private final String moveDueSkippingDuplicatesSql;

  /** Statements on the tables of {@code schema}; {@code policy} decides a duplicate cancel key. */
  DelayedRepository(OutpostSchema schema, DuplicateCancelKey policy) {
    this.conflictOutcome =
        policy == DuplicateCancelKey.REPLACE
            ? ScheduledMessage.Outcome.REPLACED
            : ScheduledMessage.Outcome.KEPT_EXISTING;
    this.dialect = schema.dialect();
    this.delayedTable = schema.table(OutpostTableNames.DELAYED_MESSAGE);
    this.insertSql =
        schema.render(
            INSERT.formatted(
                policy == DuplicateCancelKey.REPLACE ? REPLACE_PENDING : KEEP_PENDING));
    this.cancelSql = schema.render(CANCEL);
    this.rescheduleSql = schema.render(RESCHEDULE);
    this.anyDueSql = schema.render(ANY_DUE);
    this.nextDueSql = schema.render(NEXT_DUE);
    OutboxMessageSql outbox = OutboxMessageSql.of(schema);
    this.moveDueSql = outbox.moveDueFromDelayed(false);
    this.moveDueSkippingDuplicatesSql = outbox.moveDueFromDelayed(true);
    this.pendingSql = schema.render(PENDING);
  }

  /**
   * Inserts a delayed message, or with a pending {@code cancelKey} applies the duplicate policy.
   */
  ScheduledMessage insert(
      Connection connection, PreparedMessage message, OffsetDateTime deliverAt, String cancelKey) {
    try (PreparedStatement statement = connection.prepareStatement(insertSql)) {
      statement.setObject(1, message.messageId());
      statement.setString(2, message.topic());
      statement.setString(3, message.key());
      statement.setInt(4, message.partitionNo());
      statement.setBytes(5, message.payload());
      statement.setString(6, message.headersJson());
      statement.setObject(7, message.createdAt());
      statement.setObject(8, deliverAt);
      statement.setString(9, cancelKey);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        UUID pendingId = rs.getObject(1, UUID.class);
        OffsetDateTime pendingAt = rs.getObject(2, OffsetDateTime.class);
        ScheduledMessage.Outcome outcome =
            rs.getBoolean(3) ? ScheduledMessage.Outcome.SCHEDULED : conflictOutcome;
        return new ScheduledMessage(pendingId, pendingAt.toInstant(), outcome);
      }
    } catch (SQLException e) {
      throw failure(
          "could not schedule message "
              + message.messageId()
              + " (topic '"
              + message.topic()
              + "'"
              + (cancelKey == null ? "" : ", cancel key '" + cancelKey + "'")
              + ")",
          e);
    }
  }

  /** Deletes the pending message of {@code topic} and {@code cancelKey}; true if there was one. */
  boolean cancel(Connection connection, String topic, String cancelKey) {
    try (PreparedStatement statement = connection.prepareStatement(cancelSql)) {
      statement.setString(1, topic);
      statement.setString(2, cancelKey);
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("could not cancel '" + cancelKey + "' of topic '" + topic + "'", e);
    }
  }

  /** Sets the due time of the pending message of {@code topic} and {@code cancelKey}. */
  boolean reschedule(
      Connection connection, String topic, String cancelKey, OffsetDateTime deliverAt) {
    try (PreparedStatement statement = connection.prepareStatement(rescheduleSql)) {
      statement.setObject(1, deliverAt);
      statement.setString(2, topic);
      statement.setString(3, cancelKey);
      return statement.executeUpdate() == 1;
    } catch (SQLException e) {
      throw failure("could not reschedule '" + cancelKey + "' of topic '" + topic + "'", e);
    }
  }

  /**
   * Whether any message is due at {@code now}: an index-only probe, so an idle sweep runs no INSERT
   * (whose statement trigger would wake every relay for nothing).
   */
  /** How many messages are pending and the earliest due time among them. */
  PendingDelayed pending(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(pendingSql);
        ResultSet rs = statement.executeQuery()) {
      rs.next();
      OffsetDateTime next = rs.getObject(2, OffsetDateTime.class);
      return new PendingDelayed(rs.getLong(1), next == null ? null : next.toInstant());
    } catch (SQLException e) {
      throw failure("could not count the pending delayed messages", e);
    }
  }

  boolean anyDue(Connection connection, OffsetDateTime now) {
    try (PreparedStatement statement = connection.prepareStatement(anyDueSql)) {
      statement.setObject(1, now);
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
        return rs.getObject(1, OffsetDateTime.class);
      }
    } catch (SQLException e) {
      throw failure("could not read the next due time", e);
    }
  }

  /**
   * Takes the schema's move lock for the rest of the transaction, waiting for a move of another
   * node to commit.
   */
  void lockMoves(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(MOVE_LOCK)) {
      statement.setQueryTimeout(MOVE_TIMEOUT_SECONDS);
      statement.setString(1, "outpost.delay:" + delayedTable);
      statement.execute();
    } catch (SQLException e) {
      throw failure("could not take the move lock", e);
    }
  }

  /**
   * Moves up to {@code limit} messages due at {@code now} into the outbox, oldest first.
   *
   * @throws DuplicateMessageId if a moved message's id is already in the outbox; the transaction is
   *     then aborted: roll back and repeat with {@link #moveDueSkippingDuplicates}
   */
  MovedBatch moveDue(Connection connection, OffsetDateTime now, int limit) {
    return move(moveDueSql, connection, now, limit);
  }

  /** Like {@link #moveDue}, dropping due messages whose id is already in the outbox. */
  MovedBatch moveDueSkippingDuplicates(Connection connection, OffsetDateTime now, int limit) {
    return move(moveDueSkippingDuplicatesSql, connection, now, limit);
  }

  private MovedBatch move(String sql, Connection connection, OffsetDateTime now, int limit) {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setQueryTimeout(MOVE_TIMEOUT_SECONDS);
      statement.setObject(1, now);
      statement.setInt(2, limit);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        return new MovedBatch(rs.getLong(1), rs.getLong(2), rs.getObject(3, OffsetDateTime.class));
      }
    } catch (SQLException e) {
      // unique_violation: outbox_message's only unique key besides its identity is message_id.
      if (dialect.isUniqueViolation(e)) {
        throw new DuplicateMessageId(e);
      }
      throw failure("could not move due messages into the outbox", e);
    }
  }

  /** A due message's id is already in the outbox (SQLSTATE 23505 on the fast path). */
  static final class DuplicateMessageId extends OutpostException {
    private static final long serialVersionUID = 1L;

    DuplicateMessageId(SQLException cause) {
      super(cause.getMessage(), cause);
    }
  }

  /** The move statement, for plan tests. */
  String moveDueSql() {
    return moveDueSql;
  }

  /**
   * One move statement's outcome.
   *
   * @param removed rows deleted from {@code delayed_message}
   * @param inserted rows inserted into {@code outbox_message} (fewer than removed only for message
   *     ids already in the outbox)
   * @param oldestDueAt due time of the oldest removed row, null when none
   */
  record MovedBatch(long removed, long inserted, OffsetDateTime oldestDueAt) {}

  private OutpostException failure(String what, SQLException e) {
    String hint =
        dialect.isMissingTable(e)
            ? " The table does not exist: run OutpostMigrations.migrate(dataSource) for this"
                + " schema first."
            : "";
    return new OutpostException(
        what + " in " + delayedTable + ": " + Causes.describe(e) + '.' + hint, e);
  }
}
