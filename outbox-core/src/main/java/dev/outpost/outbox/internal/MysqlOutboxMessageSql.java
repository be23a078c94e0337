package dev.outpost.outbox.internal;

import dev.outpost.outbox.schema.OutpostSchema;

/**
 * Every statement on {@code outbox_message} for MySQL 8.0+ and MariaDB 10.6+. Message ids are
 * {@code BINARY(16)} (bound as 16 big-endian bytes), times {@code DATETIME(6)} in UTC, headers
 * {@code LONGTEXT} holding JSON. Immutable and thread-safe.
 *
 * <p>The writer's insert, the read-only statements and the delay scheduler's move are here. The
 * relay's claim, delete, retry and dead-letter statements bind arrays on PostgreSQL; MySQL has
 * none, so the relay on MySQL is not available yet and its builder refuses this dialect.
 */
final class MysqlOutboxMessageSql implements OutboxMessageSql {

  private static final String INSERT_PREFIX =
      "insert into {outbox_message} (message_id, topic, message_key, partition_no, payload,"
          + " headers, created_at, available_at) values ";

  private static final String INSERT_ROW = "(?, ?, ?, ?, ?, ?, ?, ?)";

  private static final String ANY_PARTITION_AT_OR_ABOVE =
      "SELECT max(partition_no) FROM {outbox_message} WHERE partition_no >= ?";

  private static final String BACKLOG = "SELECT count(*) FROM {outbox_message}";

  private static final String OLDEST =
      "SELECT created_at FROM {outbox_message} ORDER BY id LIMIT 1";

  // MySQL has no DELETE … RETURNING: the delay scheduler locks a batch of due rows (SELECT … FOR
  // UPDATE SKIP LOCKED), copies them with this statement and deletes them, in one transaction. %s
  // is the locked ids' placeholder list (a range scan of the primary key); ORDER BY hands out the
  // outbox ids in due order. %s after it is empty on the fast path; the NOT EXISTS variant drops
  // rows whose message id is already in the outbox (a consistent read at READ COMMITTED).
  private static final String MOVE_DUE_FROM_DELAYED =
      """
      INSERT INTO {outbox_message} (message_id, topic, message_key, partition_no, payload, headers,
                        created_at, available_at)
      SELECT d.message_id, d.topic, d.message_key, d.partition_no, d.payload, d.headers,
             d.created_at, d.deliver_at
      FROM {delayed_message} d
      WHERE d.id IN (%%s)%s
      ORDER BY d.deliver_at, d.id
      """;

  private static final String NOT_IN_OUTBOX =
      "\n  AND NOT EXISTS (SELECT 1 FROM {outbox_message} o WHERE o.message_id = d.message_id)";

  private final String insertPrefix;
  private final String moveDue;
  private final String moveDueSkippingDuplicates;
  private final String highestPartitionAtOrAbove;
  private final String backlog;
  private final String oldestCreatedAt;
  private final String backlogByPartition;

  MysqlOutboxMessageSql(OutpostSchema schema) {
    this.insertPrefix = schema.render(INSERT_PREFIX);
    this.moveDue = schema.render(MOVE_DUE_FROM_DELAYED.formatted(""));
    this.moveDueSkippingDuplicates = schema.render(MOVE_DUE_FROM_DELAYED.formatted(NOT_IN_OUTBOX));
    this.highestPartitionAtOrAbove = schema.render(ANY_PARTITION_AT_OR_ABOVE);
    this.backlog = schema.render(BACKLOG);
    this.oldestCreatedAt = schema.render(OLDEST);
    this.backlogByPartition =
        schema.render(
            "SELECT partition_no, count(*), min(created_at) FROM {outbox_message}"
                + " GROUP BY partition_no ORDER BY partition_no");
  }

  @Override
  public String insertPrefix() {
    return insertPrefix;
  }

  @Override
  public String insertRow() {
    return INSERT_ROW;
  }

  @Override
  public String claimWindow(boolean parkKeys) {
    throw relayNotAvailable();
  }

  @Override
  public String deleteConfirmed() {
    throw relayNotAvailable();
  }

  @Override
  public String reschedule() {
    throw relayNotAvailable();
  }

  @Override
  public String moveToDeadLetter() {
    throw relayNotAvailable();
  }

  @Override
  public String partitionsWithNewRows() {
    throw relayNotAvailable();
  }

  @Override
  public String highestPartitionAtOrAbove() {
    return highestPartitionAtOrAbove;
  }

  @Override
  public String backlog() {
    return backlog;
  }

  @Override
  public String oldestCreatedAt() {
    return oldestCreatedAt;
  }

  @Override
  public String backlogByPartition() {
    return backlogByPartition;
  }

  @Override
  public String moveDueFromDelayed(boolean skipDuplicates) {
    return skipDuplicates ? moveDueSkippingDuplicates : moveDue;
  }

  @Override
  public String replayDeadLetters() {
    throw relayNotAvailable();
  }

  private static UnsupportedOperationException relayNotAvailable() {
    return new UnsupportedOperationException(
        "this outbox statement has no MySQL/MariaDB form yet (relay, replay)");
  }
}
