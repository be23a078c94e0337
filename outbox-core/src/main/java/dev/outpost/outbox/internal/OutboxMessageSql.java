package dev.outpost.outbox.internal;

import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jooq.Condition;
import org.jooq.DSLContext;

/**
 * The storage seam of {@code outbox_message}: every statement on the table, for one dialect, with
 * table names already rendered for the configured schema. One implementation per dialect ({@link
 * PostgresOutboxMessageSql}, {@link MysqlOutboxMessageSql}); the writer ({@link OutboxRepository}),
 * the relay and the delay scheduler use it. Adding a column or a dialect touches this one place.
 *
 * <p>The writer's insert and the read-only statements are handed out as SQL text with plain JDBC
 * {@code ?} binds (documented per method). The relay's writes, whose binds are lists (PostgreSQL
 * binds arrays, MySQL has none), are run by the owner itself on the caller's connection: it
 * prepares, binds and executes, and returns the outcome. They run inside the caller's transaction
 * (auto-commit off) and never commit.
 */
public interface OutboxMessageSql {

  /** The statements for {@code schema}'s dialect. */
  static OutboxMessageSql of(OutpostSchema schema) {
    return switch (schema.dialect()) {
      case POSTGRESQL -> new PostgresOutboxMessageSql(schema);
      case MYSQL -> new MysqlOutboxMessageSql(schema);
    };
  }

  /**
   * The partition lease a relay write is fenced by: the write changes nothing unless the lease row
   * still has this owner and fencing token, and it keeps the row share-locked until the caller's
   * transaction ends, so a takeover waits for it.
   */
  record Fence(int partition, String owner, long token) {}

  /** One failed row to retry at {@code availableAt}. */
  record Retry(long id, Instant availableAt, String error) {}

  /** One row to dead-letter, with its final attempt count and error. */
  record DeadLetterMove(long id, int attempts, String error) {}

  /** One row of a claimed head window; {@code headers} is the JSON text. */
  record ClaimedRow(
      long id,
      UUID messageId,
      String topic,
      String key,
      byte[] payload,
      String headers,
      Instant createdAt,
      int attempts) {}

  /** Longest error text stored in {@code last_error}; longer ones are cut. */
  int MAX_ERROR_LENGTH = 4000;

  /** {@code INSERT INTO outbox_message (8 columns) VALUES }, followed by one or more rows. */
  String insertPrefix();

  /**
   * One row of the insert: message_id, topic, message_key, partition_no, payload, headers as JSON
   * text, created_at, available_at.
   */
  String insertRow();

  /**
   * The partition's publishable head window at {@code now} in id order: rows never attempted and
   * retries that are due, skipping every row behind a backing-off row of its key (and, with {@code
   * parkKeys}, every row of a key that has a dead letter); at most {@code limit} rows and, after
   * the first row, at most {@code maxBytes} payload bytes.
   */
  List<ClaimedRow> claimWindow(
      Connection c, boolean parkKeys, int partition, Instant now, int limit, long maxBytes)
      throws SQLException;

  /** The claim statement's text, for plan checks. */
  String claimWindowSql(boolean parkKeys);

  /**
   * The text of the claim without the byte cut that {@link #claimWindow} tries first for small
   * messages (payloads longer than its first bind come back NULL), for plan checks; null when the
   * dialect has none.
   */
  default String claimWindowInlineSql(boolean parkKeys) {
    return null;
  }

  /** Deletes confirmed rows of the fence's partition; returns how many (0: lease lost). */
  int deleteConfirmed(Connection c, Fence fence, long[] ids) throws SQLException;

  /**
   * Counts an attempt on each row and sets its next attempt time and error; returns the rows
   * changed (0: lease lost).
   */
  int reschedule(Connection c, Fence fence, List<Retry> retries) throws SQLException;

  /**
   * Moves rows into {@code outbox_dead_letter} (a dead letter of the same message id is
   * overwritten); returns the rows moved (0: lease lost).
   */
  int moveToDeadLetter(Connection c, Fence fence, List<DeadLetterMove> moves, Instant failedAt)
      throws SQLException;

  /** Of {@code partitions}, those holding rows never attempted (a wake-up hint, not a claim). */
  List<Integer> partitionsWithNewRows(Connection c, int[] partitions) throws SQLException;

  /** The highest partition number at or above the bound one, or NULL. */
  String highestPartitionAtOrAbove();

  /** Rows waiting in the outbox. */
  String backlog();

  /** created_at of the oldest waiting row (no row when empty). */
  String oldestCreatedAt();

  /** Per partition with waiting rows, in partition order: partition_no, count, min(created_at). */
  String backlogByPartition();

  /**
   * Moves due rows of {@code delayed_message} into the outbox, oldest first. With {@code
   * skipDuplicates}, rows whose message id is already in the outbox are dropped instead of failing
   * the statement. PostgreSQL: the whole move, binds now, limit; returns one row (removed,
   * inserted, oldest due time). MySQL/MariaDB: the {@code INSERT … SELECT} of the rows whose ids
   * the caller locked; a format string whose {@code %s} takes one {@code ?} per id (bound as
   * bigints); the caller deletes the rows afterwards in the same transaction.
   */
  String moveDueFromDelayed(boolean skipDuplicates);

  /**
   * Moves the dead letters matching {@code filter} (a condition on {@code outbox_dead_letter}) back
   * into the outbox, due at {@code availableAt}, with their old outbox ids (so they come before the
   * later messages of their key), in one transaction; a dead letter whose message id or outbox id
   * is taken stays. Returns how many moved.
   */
  int replayDeadLetters(DSLContext dsl, Condition filter, Instant availableAt);

  /**
   * {@code error} fit for {@code last_error}: no NUL characters, at most {@link #MAX_ERROR_LENGTH}.
   */
  static String truncate(String error) {
    if (error == null) {
      return null;
    }
    // PostgreSQL text cannot hold NUL characters.
    error = error.replace('\u0000', ' ');
    if (error.length() <= MAX_ERROR_LENGTH) {
      return error;
    }
    return error.substring(0, MAX_ERROR_LENGTH - 3) + "...";
  }
}
