package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The claim query reads a big backlog through the indexes, never by scanning the table. PostgreSQL
 * only: it reads PostgreSQL's plans (MySQL's claim is checked by {@code MysqlClaimPlanTest}).
 */
@PostgresOnly
@ExtendWith(OutpostDatabaseExtension.class)
class ClaimPlanTest {

  @Test
  void claims_the_head_window_by_index_without_a_sequential_scan(TestDatabase db) throws Exception {
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
            + " created_at, available_at)"
            + " SELECT gen_random_uuid(), 't', 'k' || (i % 1000), i % 16, '\\x00', now(), now()"
            + " FROM generate_series(1, 40000) AS i");
    db.execute(
        "UPDATE outbox_message SET attempts = 1, available_at = now() + interval '1 hour'"
            + " WHERE id % 2000 = 0");
    db.execute(
        "INSERT INTO outbox_dead_letter (outbox_id, message_id, topic, message_key, partition_no,"
            + " payload, created_at, failed_at, attempts)"
            + " SELECT i, gen_random_uuid(), 't', 'dead' || i, i % 16, '\\x00', now(), now(), 10"
            + " FROM generate_series(1, 10000) AS i");
    db.execute("ANALYZE outbox_message");
    db.execute("ANALYZE outbox_dead_letter");

    for (boolean park : new boolean[] {true, false}) {
      RelayOutboxRepository repository =
          new RelayOutboxRepository(OutpostSchema.named("public"), park);
      String sql = repository.claimWindowSql();
      check(explain(db, sql, park, false), park);
      check(explainGeneric(db, sql, park, false), park);
      String inline = repository.claimWindowInlineSql();
      check(explain(db, inline, park, true), park);
      check(explainGeneric(db, inline, park, true), park);
    }
  }

  private static void check(String plan, boolean park) {
    {
      assertThat(plan).doesNotContain("Seq Scan").doesNotContain("Hash").doesNotContain("Sort");
      assertThat(plan).contains("outbox_message_claim_idx");
      assertThat(plan).contains("outbox_message_retrying_key_idx");
      if (park) {
        assertThat(plan)
            .doesNotContain("Seq Scan on outbox_dead_letter")
            .contains("outbox_dead_letter_key_idx");
      }
    }
  }

  /** The plan a prepared statement gets once PostgreSQL switches it to a generic plan. */
  private static String explainGeneric(TestDatabase db, String sql, boolean park, boolean inline)
      throws Exception {
    StringBuilder numbered = new StringBuilder();
    int n = 0;
    for (char ch : sql.toCharArray()) {
      if (ch == '?') {
        numbered.append('$').append(++n);
      } else {
        numbered.append(ch);
      }
    }
    String types =
        park
            ? "int, timestamptz, int, timestamptz, int, int"
            : "int, timestamptz, int, timestamptz, int";
    String args = park ? "3, now(), 3, now(), 3, 500" : "3, now(), 3, now(), 500";
    types = inline ? "bigint, " + types : types + ", bigint";
    args = inline ? "33554, " + args : args + ", 16777216";
    StringBuilder plan = new StringBuilder();
    try (Connection c = db.dataSource().getConnection();
        var s = c.createStatement()) {
      s.execute("SET plan_cache_mode = force_generic_plan");
      s.execute("PREPARE generic_claim(" + types + ") AS " + numbered);
      try (ResultSet rs = s.executeQuery("EXPLAIN EXECUTE generic_claim(" + args + ")")) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      } finally {
        s.execute("DEALLOCATE generic_claim");
        s.execute("RESET plan_cache_mode");
      }
    }
    return plan.toString();
  }

  private static String explain(TestDatabase db, String sql, boolean park, boolean inline)
      throws Exception {
    StringBuilder plan = new StringBuilder();
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement s = c.prepareStatement("EXPLAIN " + sql)) {
      var now = Instant.now().atOffset(ZoneOffset.UTC);
      int i = 1;
      if (inline) {
        s.setLong(i++, (16L << 20) / 500);
      }
      s.setInt(i++, 3);
      s.setObject(i++, now);
      s.setInt(i++, 3);
      s.setObject(i++, now);
      if (park) {
        s.setInt(i++, 3);
      }
      s.setInt(i++, 500);
      if (!inline) {
        s.setLong(i, 16L << 20);
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          plan.append(rs.getString(1)).append('\n');
        }
      }
    }
    return plan.toString();
  }
}
