package dev.outpost.delay.internal;

import dev.outpost.common.internal.JdbcValues;
import dev.outpost.delay.DuplicateCancelKey;
import dev.outpost.delay.ScheduledMessage;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.internal.OutboxMessageSql;
import dev.outpost.outbox.internal.OutboxRepository;
import dev.outpost.outbox.internal.PreparedMessage;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * {@code delayed_message} on MySQL 8.0+ and MariaDB 10.6+ (message ids {@code BINARY(16)}, times
 * {@code DATETIME(6)} in UTC, bound through {@link JdbcValues}). Without {@code RETURNING} a move
 * is three statements in one transaction: lock a batch of due rows ({@code FOR UPDATE SKIP LOCKED},
 * on the due index), copy them into the outbox ({@link OutboxMessageSql#moveDueFromDelayed}),
 * delete them by primary key. Rendered once, at construction. Thread-safe.
 */
final class MysqlDelayedRepository extends DelayedRepository {

  /** Ids per copy/delete statement (placeholders stay far below the server's 65,535 limit). */
  static final int IDS_PER_STATEMENT = 5_000;

  private static final String INSERT =
      """
      INSERT INTO {delayed_message} (message_id, topic, message_key, partition_no, payload, headers,
                        created_at, deliver_at, cancel_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)\
      """;

  // ON DUPLICATE KEY fires for any unique key, message_id's too: each assignment applies only when
  // the row found is the pending message of the same topic and cancel key, so a clash of message
  // ids changes nothing and is reported by the read that follows. (VALUES() is deprecated on MySQL
  // 8.0.20+ but the only form MariaDB knows.)
  private static final String REPLACE_PENDING =
      "\nON DUPLICATE KEY UPDATE "
          + String.join(
              ", ",
              Arrays.stream(
                      new String[] {
                        "message_id",
                        "message_key",
                        "partition_no",
                        "payload",
                        "headers",
                        "created_at",
                        "deliver_at"
                      })
                  .map(
                      c ->
                          c
                              + " = IF(topic = VALUES(topic) AND cancel_key = VALUES(cancel_key),"
                              + " VALUES("
                              + c
                              + "), "
                              + c
                              + ")")
                  .toList());

  // A no-op update rather than INSERT IGNORE: it waits for and locks the pending row.
  private static final String KEEP_PENDING = "\nON DUPLICATE KEY UPDATE cancel_key = cancel_key";

  // Lock order. InnoDB locks index records: the sweep locks a due row through the due index and
  // then its primary key, and its DELETE must then delete-mark the row's (topic, cancel_key)
  // entry. A statement that found the row through that unique entry (a cancel, a reschedule, an
  // upsert) would hold the entry while waiting for the primary key: a deadlock in which the
  // business transaction is usually the victim. So those statements find the row's id with a
  // consistent (lock-free) read and then change it through its primary key, the sweep's order.
  // A row's topic and cancel key never change, so its id stands for the pending message of the key.
  private static final String ID_OF_KEY =
      """
      SELECT id FROM {delayed_message} WHERE topic = ? AND cancel_key = ?
      """;

  private static final String LOCK_BY_ID =
      """
      SELECT id FROM {delayed_message} WHERE id = ? FOR UPDATE
      """;

  private static final String CANCEL_BY_ID =
      """
      DELETE FROM {delayed_message} WHERE id = ?
      """;

  private static final String RESCHEDULE_BY_ID =
      """
      UPDATE {delayed_message} SET deliver_at = ? WHERE id = ?
      """;

  private static final String PENDING_OF_KEY =
      """
      SELECT message_id, deliver_at FROM {delayed_message}
      WHERE topic = ? AND cancel_key = ? FOR UPDATE
      """;

  // At READ COMMITTED (see sweepsReadCommitted) this locks only the rows it returns: no gap locks
  // on the due index, so writers scheduling later due times never wait for a sweep.
  private static final String LOCK_DUE =
      """
      SELECT id, deliver_at FROM {delayed_message}
      WHERE deliver_at <= ?
      ORDER BY deliver_at, id
      LIMIT ?
      FOR UPDATE SKIP LOCKED
      """;

  private static final String DELETE_MOVED =
      """
      DELETE FROM {delayed_message} WHERE id IN (%s)
      """;

  // GET_LOCK rather than a lock row: it needs no table of its own, is invisible to InnoDB (no gap
  // or next-key locks, no innodb_lock_wait_timeout), and a crashed node's session ends and frees
  // it.
  // It belongs to the session, not the transaction, so the sweeper releases it after commit or
  // rollback (unlockMoves). Taking it again in the same session (after a rollback) is a no-op. The
  // name hashes the database and table (names are server-wide and at most 64 characters).
  private static final String LOCK_NAME =
      "CONCAT('outpost.delay.', SHA1(CONCAT(COALESCE(?, DATABASE()), '.delayed_message')))";

  private static final String MOVE_LOCK =
      "SELECT CASE WHEN IS_USED_LOCK(%1$s) = CONNECTION_ID() THEN 1 ELSE GET_LOCK(%1$s, ?) END"
          .formatted(LOCK_NAME);

  private static final String MOVE_UNLOCK = "SELECT RELEASE_LOCK(%s)".formatted(LOCK_NAME);

  private final DuplicateCancelKey policy;
  private final String lockSchema;
  private final String insertSql;
  private final String insertKeyedSql;
  private final String pendingOfKeySql;
  private final String idOfKeySql;
  private final String lockByIdSql;
  private final String cancelByIdSql;
  private final String rescheduleByIdSql;
  private final String lockDueSql;
  private final String copyTemplate;
  private final String copySkippingDuplicatesTemplate;
  private final String deleteTemplate;
  private final String fullCopySql;
  private final String fullDeleteSql;

  MysqlDelayedRepository(OutpostSchema schema, DuplicateCancelKey policy) {
    super(schema);
    this.policy = policy;
    // The default schema means the connection's database (DATABASE() in the lock name).
    this.lockSchema =
        dev.outpost.common.OutpostTableNames.DEFAULT_SCHEMA.equals(schema.name())
            ? null
            : schema.name();
    this.insertSql = schema.render(INSERT);
    this.insertKeyedSql =
        schema.render(
            INSERT + (policy == DuplicateCancelKey.REPLACE ? REPLACE_PENDING : KEEP_PENDING));
    this.pendingOfKeySql = schema.render(PENDING_OF_KEY);
    this.idOfKeySql = schema.render(ID_OF_KEY);
    this.lockByIdSql = schema.render(LOCK_BY_ID);
    this.cancelByIdSql = schema.render(CANCEL_BY_ID);
    this.rescheduleByIdSql = schema.render(RESCHEDULE_BY_ID);
    this.lockDueSql = schema.render(LOCK_DUE);
    OutboxMessageSql outbox = OutboxMessageSql.of(schema);
    this.copyTemplate = outbox.moveDueFromDelayed(false);
    this.copySkippingDuplicatesTemplate = outbox.moveDueFromDelayed(true);
    this.deleteTemplate = schema.render(DELETE_MOVED);
    this.fullCopySql = copyTemplate.formatted(placeholders(IDS_PER_STATEMENT));
    this.fullDeleteSql = deleteTemplate.formatted(placeholders(IDS_PER_STATEMENT));
  }

  @Override
  ScheduledMessage insert(
      Connection connection, PreparedMessage message, OffsetDateTime deliverAt, String cancelKey) {
    checkLength("topic", message.topic());
    checkLength("key", message.key());
    checkLength("cancelKey", cancelKey);
    String what =
        "could not schedule message "
            + message.messageId()
            + " (topic '"
            + message.topic()
            + "'"
            + (cancelKey == null ? "" : ", cancel key '" + cancelKey + "'")
            + ")";
    try {
      if (cancelKey != null) {
        // A pending message of the key: lock it through its primary key first (see ID_OF_KEY).
        long pending = idOfKey(connection, message.topic(), cancelKey);
        if (pending != 0) {
          byId(connection, lockByIdSql, pending, null);
        }
      }
      int affected;
      try (PreparedStatement statement =
          connection.prepareStatement(cancelKey == null ? insertSql : insertKeyedSql)) {
        JdbcValues.setUuid(statement, 1, dialect, message.messageId());
        statement.setString(2, message.topic());
        statement.setString(3, message.key());
        statement.setInt(4, message.partitionNo());
        statement.setBytes(5, message.payload());
        statement.setString(6, message.headersJson());
        JdbcValues.setTime(statement, 7, dialect, message.createdAt());
        JdbcValues.setTime(statement, 8, dialect, deliverAt);
        statement.setString(9, cancelKey);
        affected = statement.executeUpdate();
      }
      if (cancelKey == null) {
        return new ScheduledMessage(
            message.messageId(), deliverAt.toInstant(), ScheduledMessage.Outcome.SCHEDULED);
      }
      return outcomeOfKeyed(connection, message.messageId(), message.topic(), cancelKey, affected);
    } catch (SQLException e) {
      throw failure(what, e);
    }
  }

  /** The columns are VARCHAR(255) on MySQL (InnoDB's index size limit); checked before writing. */
  private static void checkLength(String what, String value) {
    int max = OutboxRepository.MYSQL_MAX_TEXT_KEY_LENGTH;
    if (value != null && value.length() > max) {
      throw new IllegalArgumentException(
          what
              + " is "
              + value.length()
              + " characters; allowed 1.."
              + max
              + " on MySQL/MariaDB (VARCHAR(255) column)");
    }
  }

  /**
   * What the keyed insert did, read back under lock: the pending message of the key either has our
   * id (inserted, or replaced: the upsert reports 2 rows for a changed row) or another one (kept by
   * KEEP_EXISTING; with REPLACE that means our id clashed with another pending message).
   */
  private ScheduledMessage outcomeOfKeyed(
      Connection connection, UUID messageId, String topic, String cancelKey, int affected)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(pendingOfKeySql)) {
      statement.setString(1, topic);
      statement.setString(2, cancelKey);
      try (ResultSet rs = statement.executeQuery()) {
        UUID pendingId = rs.next() ? JdbcValues.getUuid(rs, 1, dialect) : null;
        if (pendingId != null && pendingId.equals(messageId)) {
          ScheduledMessage.Outcome outcome =
              affected >= 2
                  ? ScheduledMessage.Outcome.REPLACED
                  : ScheduledMessage.Outcome.SCHEDULED;
          return new ScheduledMessage(
              pendingId, JdbcValues.getTime(rs, 2, dialect).toInstant(), outcome);
        }
        if (pendingId != null && policy == DuplicateCancelKey.KEEP_EXISTING) {
          return new ScheduledMessage(
              pendingId,
              JdbcValues.getTime(rs, 2, dialect).toInstant(),
              ScheduledMessage.Outcome.KEPT_EXISTING);
        }
        throw new OutpostException(
            "could not schedule message "
                + messageId
                + " (topic '"
                + topic
                + "', cancel key '"
                + cancelKey
                + "') in "
                + delayedTable
                + ": message id "
                + messageId
                + " is already pending under another topic or cancel key. Give each delayed"
                + " message its own id (or leave the id to Outpost).");
      }
    }
  }

  @Override
  boolean cancel(Connection connection, String topic, String cancelKey) {
    try {
      long id = idOfKey(connection, topic, cancelKey);
      return id != 0 && byId(connection, cancelByIdSql, id, null) == 1;
    } catch (SQLException e) {
      throw failure("could not cancel '" + cancelKey + "' of topic '" + topic + "'", e);
    }
  }

  @Override
  boolean reschedule(
      Connection connection, String topic, String cancelKey, OffsetDateTime deliverAt) {
    try {
      long id = idOfKey(connection, topic, cancelKey);
      return id != 0 && byId(connection, rescheduleByIdSql, id, deliverAt) == 1;
    } catch (SQLException e) {
      throw failure("could not reschedule '" + cancelKey + "' of topic '" + topic + "'", e);
    }
  }

  /** The id of the pending message of the key (a consistent read, no lock), 0 when none. */
  private long idOfKey(Connection connection, String topic, String cancelKey) throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(idOfKeySql)) {
      statement.setString(1, topic);
      statement.setString(2, cancelKey);
      try (ResultSet rs = statement.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Runs a statement on the row {@code id} (binding {@code deliverAt} first when given). */
  private int byId(Connection connection, String sql, long id, OffsetDateTime deliverAt)
      throws SQLException {
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      int index = 1;
      if (deliverAt != null) {
        JdbcValues.setTime(statement, index++, dialect, deliverAt);
      }
      statement.setLong(index, id);
      if (statement.execute()) {
        try (ResultSet rs = statement.getResultSet()) {
          return rs.next() ? 1 : 0;
        }
      }
      return statement.getUpdateCount();
    }
  }

  @Override
  void lockMoves(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(MOVE_LOCK)) {
      statement.setString(1, lockSchema);
      statement.setString(2, lockSchema);
      statement.setInt(3, MOVE_TIMEOUT_SECONDS);
      try (ResultSet rs = statement.executeQuery()) {
        rs.next();
        if (rs.getInt(1) != 1) {
          throw new OutpostException(
              "could not take the move lock of "
                  + delayedTable
                  + " within "
                  + MOVE_TIMEOUT_SECONDS
                  + " s: another node's move holds it (GET_LOCK). Check for a stuck sweep"
                  + " session (SHOW PROCESSLIST).");
        }
      }
    } catch (SQLException e) {
      throw failure("could not take the move lock", e);
    }
  }

  @Override
  void unlockMoves(Connection connection) {
    try (PreparedStatement statement = connection.prepareStatement(MOVE_UNLOCK)) {
      statement.setString(1, lockSchema);
      statement.execute();
    } catch (SQLException e) {
      throw failure("could not release the move lock", e);
    }
  }

  @Override
  MovedBatch moveDue(Connection connection, OffsetDateTime now, int limit, boolean skipDuplicates) {
    List<Long> ids = new ArrayList<>(Math.min(limit, IDS_PER_STATEMENT));
    OffsetDateTime oldest = null;
    try {
      try (PreparedStatement statement = connection.prepareStatement(lockDueSql)) {
        statement.setQueryTimeout(MOVE_TIMEOUT_SECONDS);
        JdbcValues.setTime(statement, 1, dialect, now);
        statement.setInt(2, limit);
        try (ResultSet rs = statement.executeQuery()) {
          while (rs.next()) {
            ids.add(rs.getLong(1));
            if (oldest == null) {
              oldest = JdbcValues.getTime(rs, 2, dialect);
            }
          }
        }
      }
      long inserted = 0;
      long removed = 0;
      // Chunks keep due order: the ids are in due order and each copy orders its own chunk.
      for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
        inserted +=
            byIds(
                connection,
                skipDuplicates ? copySkippingDuplicatesTemplate : copyTemplate,
                skipDuplicates ? null : fullCopySql,
                ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT)));
      }
      for (int from = 0; from < ids.size(); from += IDS_PER_STATEMENT) {
        removed +=
            byIds(
                connection,
                deleteTemplate,
                fullDeleteSql,
                ids.subList(from, Math.min(ids.size(), from + IDS_PER_STATEMENT)));
      }
      return new MovedBatch(removed, inserted, oldest);
    } catch (SQLException e) {
      if (dialect.isUniqueViolation(e)) {
        throw new DuplicateMessageId(e);
      }
      throw failure("could not move due messages into the outbox", e);
    }
  }

  private static int byIds(Connection connection, String template, String full, List<Long> ids)
      throws SQLException {
    String sql =
        full != null && ids.size() == IDS_PER_STATEMENT
            ? full
            : template.formatted(placeholders(ids.size()));
    try (PreparedStatement statement = connection.prepareStatement(sql)) {
      statement.setQueryTimeout(MOVE_TIMEOUT_SECONDS);
      for (int i = 0; i < ids.size(); i++) {
        statement.setLong(i + 1, ids.get(i));
      }
      return statement.executeUpdate();
    }
  }

  private static String placeholders(int count) {
    return "?, ".repeat(count - 1) + "?";
  }

  @Override
  boolean sweepsReadCommitted() {
    return true;
  }

  @Override
  String moveDueSql() {
    return lockDueSql;
  }
}
