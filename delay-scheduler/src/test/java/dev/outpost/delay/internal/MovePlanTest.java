package dev.outpost.delay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.delay.DuplicateCancelKey;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class MovePlanTest {

  @Test
  void the_move_statement_never_scans_the_whole_delayed_table(TestDatabase db) throws Exception {
    if (!db.isPostgres()) {
      assertMysqlPlan(db);
      return;
    }
    // 2,000 rows due, 100,000 pending for later: a batch must touch only what it moves.
    db.execute(
        "INSERT INTO delayed_message (message_id, topic, message_key, partition_no, payload,"
            + " created_at, deliver_at, cancel_key)"
            + " SELECT gen_random_uuid(), 't', 'k' || i, i % 16, '\\x00', now(),"
            + " CASE WHEN i <= 2000 THEN now() - interval '1 minute'"
            + " ELSE now() + interval '1 hour' END, 'k' || i"
            + " FROM generate_series(1, 102000) i");
    db.execute("ANALYZE delayed_message");
    String sql =
        DelayedRepository.of(OutpostSchema.named(db.schema()), DuplicateCancelKey.REPLACE)
            .moveDueSql();

    StringBuilder plan = new StringBuilder();
    try (Connection connection = db.dataSource().getConnection();
        PreparedStatement explain = connection.prepareStatement("EXPLAIN " + sql)) {
      explain.setObject(1, OffsetDateTime.now(ZoneOffset.UTC));
      explain.setInt(2, 5_000);
      try (ResultSet rs = explain.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
    }

    assertThat(plan.toString())
        .contains("delayed_message_due_idx")
        .contains("Tid Scan on delayed_message")
        .doesNotContain("Seq Scan on delayed_message");
  }

  /**
   * MariaDB: the locking read of a batch is a range scan of the due index (so at READ COMMITTED it
   * locks only the rows it returns); the copy and the delete go by primary key.
   */
  private static void assertMysqlPlan(TestDatabase db) throws Exception {
    // MariaDB's sequence engine (seq_1_to_N): 2,000 rows due, 100,000 pending for later.
    db.execute(
        "INSERT INTO delayed_message (message_id, topic, message_key, partition_no, payload,"
            + " headers, created_at, deliver_at, cancel_key)"
            + " SELECT UNHEX(REPLACE(UUID(), '-', '')), 't', CONCAT('k', seq), seq % 16, 'x',"
            + " '{}', UTC_TIMESTAMP(6), IF(seq <= 2000, UTC_TIMESTAMP(6) - INTERVAL 1 MINUTE,"
            + " UTC_TIMESTAMP(6) + INTERVAL 1 HOUR), CONCAT('k', seq) FROM seq_1_to_102000");
    db.execute("ANALYZE TABLE delayed_message");
    String lockDue =
        DelayedRepository.of(
                OutpostSchema.of(db.dialect(), db.schema()), DuplicateCancelKey.REPLACE)
            .moveDueSql();

    try (Connection connection = db.dataSource().getConnection()) {
      try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + lockDue)) {
        explain.setObject(1, java.time.LocalDateTime.now(ZoneOffset.UTC));
        explain.setInt(2, 5_000);
        try (ResultSet rs = explain.executeQuery()) {
          rs.next();
          assertThat(rs.getString("type")).isEqualTo("range");
          assertThat(rs.getString("key")).isEqualTo("delayed_message_due_idx");
          assertThat(rs.getString("Extra")).doesNotContain("filesort");
        }
      }
      String ids = "1, 17, 400, 1999";
      String copy =
          dev.outpost.outbox.internal.OutboxMessageSql.of(
                  OutpostSchema.of(db.dialect(), db.schema()))
              .moveDueFromDelayed(false)
              .formatted(ids);
      for (String byId :
          new String[] {copy, "DELETE FROM delayed_message WHERE id IN (" + ids + ")"}) {
        try (PreparedStatement explain = connection.prepareStatement("EXPLAIN " + byId);
            ResultSet rs = explain.executeQuery()) {
          rs.next();
          assertThat(rs.getString("key")).as(byId).isEqualTo("PRIMARY");
        }
      }
    }
  }
}
