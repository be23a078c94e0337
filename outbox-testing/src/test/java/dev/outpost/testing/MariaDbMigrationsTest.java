package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.Dialect;
import dev.outpost.common.UnsupportedDatabaseException;
import dev.outpost.migrations.OutpostMigrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Outpost's MySQL/MariaDB migrations on a real MariaDB, whatever the shared fixture runs on. */
class MariaDbMigrationsTest {

  private static TestDatabase db;

  @BeforeAll
  static void start() {
    db = OutpostPostgres.startMariaDb(System.getenv());
  }

  @AfterAll
  static void stop() {
    db.close();
  }

  @Test
  void creates_outpost_quartz_and_audit_tables_as_innodb_utf8mb4_bin() throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT table_name, engine, table_collation FROM information_schema.tables"
                    + " WHERE table_schema = DATABASE() ORDER BY table_name")) {
      while (rs.next()) {
        String table = rs.getString(1);
        tables.add(table);
        assertThat(rs.getString(2)).as(table).isEqualTo("InnoDB");
        if (!table.startsWith("QRTZ_") && !table.equals("outpost_schema_history")) {
          assertThat(rs.getString(3)).as(table).isEqualTo("utf8mb4_bin");
        }
      }
    }
    assertThat(tables)
        .contains(
            "outbox_message",
            "outbox_dead_letter",
            "delayed_message",
            "dedup_key",
            "relay_lease",
            "relay_instance",
            "outpost_admin_audit",
            "outpost_schema_history",
            "QRTZ_TRIGGERS",
            "QRTZ_LOCKS");
    // The PostgreSQL tree was not scanned: no trigger function, lower-case qrtz_ tables absent.
    assertThat(tables).doesNotContain("qrtz_triggers");
  }

  @Test
  void the_dialect_is_detected_and_a_rerun_is_a_no_op() {
    OutpostMigrations migrations =
        OutpostMigrations.builder().dataSource(db.dataSource()).schema(db.schema()).build();
    assertThat(migrations.dialect()).isEqualTo(Dialect.MYSQL);
    assertThat(migrations.migrate()).isEqualTo("4");
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outpost_schema_history"
                    + " WHERE version IN ('1', '2', '4') AND success = 1"))
        .isEqualTo(3);
  }

  @Test
  void an_old_mariadb_is_refused_before_anything_is_written() {
    DataSource old = new VersionReportingDataSource(db.dataSource(), "MariaDB", "10.5.23-MariaDB");
    assertThatThrownBy(
            () ->
                OutpostMigrations.builder()
                    .dataSource(old)
                    .schema("outpost_never_created")
                    .build()
                    .migrate())
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("10.5.23")
        .hasMessageContaining("MariaDB 10.6 or newer");
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM information_schema.schemata"
                    + " WHERE schema_name = 'outpost_never_created'"))
        .isZero();
  }
}
