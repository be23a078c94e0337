package dev.outpost.relay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.internal.JdbcValues;
import dev.outpost.outbox.schema.OutpostSchema;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * Replay and purge of dead letters by message id on MySQL 8.0+ and MariaDB 10.6+, where the
 * PostgreSQL statement (one data-modifying CTE) has no equivalent. Message ids are bound as 16
 * big-endian bytes ({@code BINARY(16)}), times as UTC {@code DATETIME(6)}. Thread-safe.
 *
 * <p>A replay is three statements in one transaction: lock the dead letters, copy them back into
 * the outbox under their original outbox id (an explicit value in the {@code AUTO_INCREMENT} column
 * leaves the counter alone), delete the copied ones. Keeping the id keeps the per-key order: the
 * relay reads a partition in id order, so a key's replayed messages go out before its newer pending
 * ones, in their original order.
 */
final class MysqlDeadLetterSql {

  /** Ids per statement, well below MySQL's 65,535 placeholders. */
  static final int CHUNK = 1_000;

  private static final String LOCK =
      "SELECT id FROM {outbox_dead_letter} WHERE message_id IN (%s) ORDER BY outbox_id FOR UPDATE";

  /**
   * Rows whose message id (or outbox id) is in the outbox again are left where they are, as the
   * PostgreSQL statement's ON CONFLICT DO NOTHING does; the dead-letter row lock above keeps two
   * replays of one row apart.
   */
  private static final String COPY_BACK =
      """
      INSERT INTO {outbox_message} (id, message_id, topic, message_key, partition_no, payload,
                                    headers, created_at, available_at, attempts)
      SELECT d.outbox_id, d.message_id, d.topic, d.message_key, d.partition_no, d.payload,
             d.headers, d.created_at, ?, 0
      FROM {outbox_dead_letter} d
      WHERE d.message_id IN (%s)
        AND NOT EXISTS (SELECT 1 FROM {outbox_message} o
                        WHERE o.message_id = d.message_id OR o.id = d.outbox_id)
      ORDER BY d.outbox_id
      """;

  private static final String DELETE_COPIED =
      """
      DELETE d FROM {outbox_dead_letter} d
      JOIN {outbox_message} o ON o.id = d.outbox_id AND o.message_id = d.message_id
      WHERE d.message_id IN (%s)
      """;

  private static final String PURGE = "DELETE FROM {outbox_dead_letter} WHERE message_id IN (%s)";

  private final DataSource dataSource;
  private final String lock;
  private final String copyBack;
  private final String deleteCopied;
  private final String purge;

  MysqlDeadLetterSql(DataSource dataSource, OutpostSchema schema) {
    this.dataSource = dataSource;
    this.lock = schema.render(LOCK);
    this.copyBack = schema.render(COPY_BACK);
    this.deleteCopied = schema.render(DELETE_COPIED);
    this.purge = schema.render(PURGE);
  }

  /** Moves the dead letters with these message ids back into the outbox; returns how many. */
  int replay(List<UUID> messageIds, Instant availableAt) throws SQLException {
    return inTransaction(
        c -> {
          int moved = 0;
          for (List<UUID> chunk : chunks(messageIds)) {
            String marks = marks(chunk.size());
            try (PreparedStatement s = c.prepareStatement(lock.formatted(marks))) {
              bindIds(s, 1, chunk);
              s.executeQuery().close();
            }
            try (PreparedStatement s = c.prepareStatement(copyBack.formatted(marks))) {
              JdbcValues.setTime(s, 1, Dialect.MYSQL, availableAt);
              bindIds(s, 2, chunk);
              moved += s.executeUpdate();
            }
            try (PreparedStatement s = c.prepareStatement(deleteCopied.formatted(marks))) {
              bindIds(s, 1, chunk);
              s.executeUpdate();
            }
          }
          return moved;
        });
  }

  /** Deletes the dead letters with these message ids; returns how many. */
  int purge(List<UUID> messageIds) throws SQLException {
    return inTransaction(
        c -> {
          int deleted = 0;
          for (List<UUID> chunk : chunks(messageIds)) {
            try (PreparedStatement s = c.prepareStatement(purge.formatted(marks(chunk.size())))) {
              bindIds(s, 1, chunk);
              deleted += s.executeUpdate();
            }
          }
          return deleted;
        });
  }

  /** Work on one connection that commits together. */
  @FunctionalInterface
  private interface Work {
    int run(Connection connection) throws SQLException;
  }

  private int inTransaction(Work work) throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      boolean autoCommit = c.getAutoCommit();
      c.setAutoCommit(false);
      try {
        int result = work.run(c);
        c.commit();
        return result;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      } finally {
        c.setAutoCommit(autoCommit);
      }
    }
  }

  private static List<List<UUID>> chunks(List<UUID> ids) {
    List<List<UUID>> chunks = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += CHUNK) {
      chunks.add(ids.subList(from, Math.min(ids.size(), from + CHUNK)));
    }
    return chunks;
  }

  private static String marks(int count) {
    return String.join(", ", Collections.nCopies(count, "?"));
  }

  private static void bindIds(PreparedStatement s, int first, List<UUID> ids) throws SQLException {
    for (int i = 0; i < ids.size(); i++) {
      JdbcValues.setUuid(s, first + i, Dialect.MYSQL, ids.get(i));
    }
  }
}
