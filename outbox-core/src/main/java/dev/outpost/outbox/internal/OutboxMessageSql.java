package dev.outpost.outbox.internal;

import dev.outpost.outbox.schema.OutpostSchema;

/**
 * The storage seam of {@code outbox_message}: every statement on the table, for one dialect, with
 * table names already rendered for the configured schema. One implementation per dialect ({@link
 * PostgresOutboxMessageSql}); the writer ({@link OutboxRepository}), the relay and the delay
 * scheduler bind and run them. Adding a column or a dialect touches this one place.
 *
 * <p>Bind parameters are documented on each method; values are always JDBC {@code ?} binds, except
 * {@link #replayDeadLetters()}, a jOOQ plain-SQL template whose dead-letter filter is built with
 * jOOQ.
 */
public interface OutboxMessageSql {

  /** The statements for {@code schema}'s dialect. */
  static OutboxMessageSql of(OutpostSchema schema) {
    return switch (schema.dialect()) {
      case POSTGRESQL -> new PostgresOutboxMessageSql(schema);
      case MYSQL -> new MysqlOutboxMessageSql(schema);
    };
  }

  /** {@code INSERT INTO outbox_message (8 columns) VALUES }, followed by one or more rows. */
  String insertPrefix();

  /**
   * One row of the insert: message_id, topic, message_key, partition_no, payload, headers as JSON
   * text, created_at, available_at.
   */
  String insertRow();

  /**
   * The partition's head window: binds partition, now, partition, now, [partition when {@code
   * parkKeys}], limit; columns id, message_id, topic, message_key, payload, headers (text),
   * created_at, attempts.
   */
  String claimWindow(boolean parkKeys);

  /**
   * The partition's head window without the byte cut, for the common case of small messages (one
   * cheap statement instead of a running sum over the window): binds inlineMax, then as {@link
   * #claimWindow} without its last bind (partition, now, partition, now, [partition when {@code
   * parkKeys}], limit); columns as {@link #claimWindow}, except that payload is NULL when it is
   * longer than inlineMax bytes. The relay binds {@code inlineMax = maxBytes / limit}, so the rows
   * never hold more than maxBytes of payload; when a payload comes back NULL it claims again with
   * {@link #claimWindow}.
   *
   * @return the statement, or null when the dialect offers none (the relay then always uses {@link
   *     #claimWindow})
   */
  default String claimWindowInline(boolean parkKeys) {
    return null;
  }

  /**
   * Deletes confirmed rows: binds ids (bigint[]), partition, then the lease (partition, owner,
   * token).
   */
  String deleteConfirmed();

  /**
   * Counts an attempt and sets the next attempt time: binds ids (bigint[]), times (text[]), errors
   * (text[]), partition, then the lease.
   */
  String reschedule();

  /**
   * Moves rows to {@code outbox_dead_letter}: binds ids (bigint[]), attempts (int[]), errors
   * (text[]), partition, the lease, failed_at.
   */
  String moveToDeadLetter();

  /** Of the partitions bound as int[], those with rows never attempted. */
  String partitionsWithNewRows();

  /** The highest partition number at or above the bound one, or NULL. */
  String highestPartitionAtOrAbove();

  /** Rows waiting in the outbox. */
  String backlog();

  /** created_at of the oldest waiting row (no row when empty). */
  String oldestCreatedAt();

  /** Per partition with waiting rows, in partition order: partition_no, count, min(created_at). */
  String backlogByPartition();

  /**
   * Moves due rows of {@code delayed_message} into the outbox, oldest first: binds now, limit;
   * returns one row (removed, inserted, oldest due time). With {@code skipDuplicates}, rows whose
   * message id is already in the outbox are dropped instead of failing the statement.
   */
  String moveDueFromDelayed(boolean skipDuplicates);

  /**
   * Moves dead letters back into the outbox; a jOOQ plain-SQL template with parts {0} the
   * dead-letter filter and {1} available_at.
   */
  String replayDeadLetters();
}
