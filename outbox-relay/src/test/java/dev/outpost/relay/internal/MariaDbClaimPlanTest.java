package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * MariaDB's plan of the claim: the head window walks the partition's claim index, and the per-row
 * probes (a backing-off earlier row of the key, a dead letter of the key) are index lookups, never
 * a scan or a materialization of a whole table. Runs only in the MariaDB run of the suite.
 */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(120)
class MariaDbClaimPlanTest {

  @Test
  void claims_the_head_window_by_index_with_per_row_index_probes(TestDatabase db) throws Exception {
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
            + " headers, created_at, available_at)"
            + " SELECT UNHEX(REPLACE(UUID(), '-', '')), 't', CONCAT('k', seq % 1000), seq % 16,"
            + " 'x', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_40000");
    db.execute(
        "UPDATE outbox_message SET attempts = 1,"
            + " available_at = UTC_TIMESTAMP(6) + INTERVAL 1 HOUR WHERE id % 2000 = 0");
    db.execute(
        "INSERT INTO outbox_dead_letter (outbox_id, message_id, topic, message_key, partition_no,"
            + " payload, headers, created_at, failed_at, attempts)"
            + " SELECT seq, UNHEX(REPLACE(UUID(), '-', '')), 't', CONCAT('dead', seq), seq % 16,"
            + " 'x', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 10 FROM seq_1_to_10000");
    db.execute("ANALYZE TABLE outbox_message");
    db.execute("ANALYZE TABLE outbox_dead_letter");

    for (boolean park : new boolean[] {true, false}) {
      String sql =
          new RelayOutboxRepository(OutpostSchema.of(db.dialect(), db.schema()), park)
              .claimWindowSql();
      List<String> plan = explain(db, sql);
      assertThat(plan).noneMatch(row -> row.contains("MATERIALIZED"));
      assertThat(plan)
          .filteredOn(row -> row.startsWith("h ") || row.startsWith("r ") || row.startsWith("d "))
          .allMatch(row -> !row.contains(" ALL ") && !row.contains(" index "), "no scans");
      assertThat(String.join("\n", plan))
          .contains("outbox_message_claim_idx")
          .contains("outbox_message_retrying_key_idx");
      if (park) {
        assertThat(String.join("\n", plan)).contains("d ref outbox_dead_letter_key_idx");
      }
    }
  }

  @Test
  void the_fast_path_reads_the_head_by_the_claim_index(TestDatabase db) throws Exception {
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
            + " headers, created_at, available_at)"
            + " SELECT UNHEX(REPLACE(UUID(), '-', '')), 't', CONCAT('k', seq % 1000), seq % 16,"
            + " 'x', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6) FROM seq_1_to_40000");
    db.execute(
        "INSERT INTO outbox_dead_letter (outbox_id, message_id, topic, message_key, partition_no,"
            + " payload, headers, created_at, failed_at, attempts)"
            + " SELECT seq, UNHEX(REPLACE(UUID(), '-', '')), 't', CONCAT('dead', seq), seq % 16,"
            + " 'x', '{}', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6), 10 FROM seq_1_to_10000");
    db.execute("ANALYZE TABLE outbox_message");
    db.execute("ANALYZE TABLE outbox_dead_letter");

    for (boolean park : new boolean[] {true, false}) {
      String sql =
          new RelayOutboxRepository(OutpostSchema.of(db.dialect(), db.schema()), park)
              .claimWindowInlineSql();
      List<String> plan = explain(db, sql, "33554", "UTC_TIMESTAMP(6)", "3", "500");
      assertThat(plan).noneMatch(row -> row.contains("MATERIALIZED"));
      assertThat(plan)
          .filteredOn(row -> row.startsWith("h "))
          .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
          .startsWith("h ref outbox_message_claim_idx");
      if (park) {
        assertThat(String.join("\n", plan)).contains("d ref outbox_dead_letter_key_idx");
      }
    }
  }

  /** Rows of EXPLAIN as "table type key select_type". */
  private static List<String> explain(TestDatabase db, String sql) throws Exception {
    return explain(db, sql, "3", "UTC_TIMESTAMP(6)", "UTC_TIMESTAMP(6)", "500", "16777216");
  }

  /** Rows of EXPLAIN of {@code sql} with {@code literals} in place of its binds. */
  private static List<String> explain(TestDatabase db, String sql, String... literals)
      throws Exception {
    StringBuilder bound = new StringBuilder();
    int next = 0;
    for (char ch : sql.toCharArray()) {
      bound.append(ch == '?' ? literals[next++] : String.valueOf(ch));
    }
    List<String> rows = new ArrayList<>();
    try (Connection c = db.dataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("EXPLAIN " + bound)) {
      while (rs.next()) {
        rows.add(
            rs.getString("table")
                + " "
                + rs.getString("type")
                + " "
                + rs.getString("key")
                + " "
                + rs.getString("select_type"));
      }
    }
    return rows;
  }
}
