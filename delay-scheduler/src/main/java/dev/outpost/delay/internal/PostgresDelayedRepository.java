package dev.outpost.delay.internal;

import dev.outpost.delay.DuplicateCancelKey;
import dev.outpost.delay.ScheduledMessage;
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
 * {@code delayed_message} on PostgreSQL: the schedule is one {@code INSERT … ON CONFLICT}, the move
 * one statement ({@code DELETE … RETURNING} feeding the outbox's {@code INSERT}, whose text belongs
 * to {@link OutboxMessageSql}), serialised across nodes by a transaction-scoped advisory lock.
 * Rendered once, at construction. Thread-safe.
 */
final class PostgresDelayedRepository extends DelayedRepository {

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

  // One transaction-scoped advisory lock per schema serialises move transactions of all nodes
  // (Quartz sweeps, in-node timer sweeps, runOnce), so batches reach the outbox in due order even
  // when two nodes sweep at the same moment. The key is derived from the table name.
  private static final String MOVE_LOCK = "SELECT pg_advisory_xact_lock(hashtext(?))";

  private static final String CANCEL =
      """
      DELETE FROM {delayed_message} WHERE topic = ? AND cancel_key = ?
      """;

  private static final String RESCHEDULE =
      """
      UPDATE {delayed_message} SET deliver_at = ? WHERE topic = ? AND cancel_key = ?
      """;

  private final ScheduledMessage.Outcome conflictOutcome;
  private final String cancelSql;
  private final String rescheduleSql;
  private final String insertSql;
  private final String moveDueSql;
  private final String moveDueSkippingDuplicatesSql;

  /** Statements on the tables of {@code schema}; {@code policy} decides a duplicate cancel key. */
  PostgresDelayedRepository(OutpostSchema schema, DuplicateCancelKey policy) {
    super(schema);
    this.conflictOutcome =
        policy == DuplicateCancelKey.REPLACE
            ? ScheduledMessage.Outcome.REPLACED
            : ScheduledMessage.Outcome.KEPT_EXISTING;
    this.insertSql =
        schema.render(
            INSERT.formatted(
                policy == DuplicateCancelKey.REPLACE ? REPLACE_PENDING : KEEP_PENDING));
    this.cancelSql = schema.render(CANCEL);
    this.rescheduleSql = schema.render(RESCHEDULE);
    OutboxMessageSql outbox = OutboxMessageSql.of(schema);
    this.moveDueSql = outbox.moveDueFromDelayed(false);
    this.moveDueSkippingDuplicatesSql = outbox.moveDueFromDelayed(true);
  }

  /**
   * Inserts a delayed message, or with a pending {@code cancelKey} applies the duplicate policy.
   */
  @Override
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
  @Override
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
  @Override
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
   * Takes the schema's move lock for the rest of the transaction, waiting for a move of another
   * node to commit.
   */
  @Override
  void lockMoves(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(MOVE_LOCK)) {
      statement.setQueryTimeout(MOVE_TIMEOUT_SECONDS);
      statement.setString(1, "outpost.delay:" + delayedTable);
      statement.execute();
    } catch (SQLException e) {
      throw failure("could not take the move lock", e);
    }
  }

  @Override
  MovedBatch moveDue(Connection connection, OffsetDateTime now, int limit, boolean skipDuplicates) {
    String sql = skipDuplicates ? moveDueSkippingDuplicatesSql : moveDueSql;
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

  @Override
  String moveDueSql() {
    return moveDueSql;
  }
}
