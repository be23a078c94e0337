package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.migrations.MigrationException;
import dev.outpost.migrations.OutpostMigrations;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

class MigrationsTest {

  private static final List<String> OUTPOST_TABLES =
      List.of(
          "outbox_message",
          "outbox_dead_letter",
          "delayed_message",
          "dedup_key",
          "relay_lease",
          "relay_instance");
  private static final List<String> QUARTZ_TABLES =
      List.of(
          "qrtz_job_details",
          "qrtz_triggers",
          "qrtz_simple_triggers",
          "qrtz_cron_triggers",
          "qrtz_simprop_triggers",
          "qrtz_blob_triggers",
          "qrtz_calendars",
          "qrtz_paused_trigger_grps",
          "qrtz_fired_triggers",
          "qrtz_scheduler_state",
          "qrtz_locks");
  private static final List<String> INDEXES =
      List.of(
          "outbox_message_claim_idx",
          "outbox_message_retrying_key_idx",
          "outbox_dead_letter_failed_at_idx",
          "outbox_dead_letter_topic_idx",
          "outbox_dead_letter_key_idx",
          "delayed_message_due_idx",
          "delayed_message_cancel_key",
          "dedup_key_pkey",
          "dedup_key_processed_at_idx");

  private final TestDatabase db = OutpostPostgres.shared();

  @Test
  void creates_every_table_and_index_on_an_empty_schema() {
    db.execute("DROP SCHEMA IF EXISTS mig_fresh CASCADE");

    String version =
        OutpostMigrations.builder()
            .dataSource(db.dataSource())
            .schema("mig_fresh")
            .build()
            .migrate();

    assertThat(version).isEqualTo("4");
    assertThat(tables("mig_fresh")).containsAll(OUTPOST_TABLES).containsAll(QUARTZ_TABLES);
    assertThat(indexes("mig_fresh")).containsAll(INDEXES);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
                    + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                    + " WHERE n.nspname = 'mig_fresh' AND t.tgname = 'outbox_message_notify'"))
        .isEqualTo(1);
  }

  @Test
  void running_the_migrations_again_is_a_no_op() {
    db.execute("DROP SCHEMA IF EXISTS mig_again CASCADE");
    OutpostMigrations migrations =
        OutpostMigrations.builder().dataSource(db.dataSource()).schema("mig_again").build();
    migrations.migrate();
    long historyRows = db.queryLong("SELECT count(*) FROM mig_again.outpost_schema_history");

    String version = migrations.migrate();

    assertThat(version).isEqualTo("4");
    assertThat(db.queryLong("SELECT count(*) FROM mig_again.outpost_schema_history"))
        .isEqualTo(historyRows);
    assertThat(migrations.flyway().info().pending()).isEmpty();
  }

  @Test
  void puts_the_tables_into_the_configured_schema_only() {
    db.execute("DROP SCHEMA IF EXISTS mig_custom CASCADE");
    db.execute("DROP SCHEMA IF EXISTS mig_untouched CASCADE");
    db.execute("CREATE SCHEMA mig_untouched");

    OutpostMigrations.builder().dataSource(db.dataSource()).schema("mig_custom").build().migrate();

    assertThat(tables("mig_custom")).containsAll(OUTPOST_TABLES);
    assertThat(tables("mig_untouched")).isEmpty();
  }

  @Test
  void leaves_the_applications_own_flyway_history_alone() {
    db.execute("DROP SCHEMA IF EXISTS mig_app CASCADE");
    Flyway appFlyway =
        Flyway.configure()
            .dataSource(db.dataSource())
            .schemas("mig_app")
            .defaultSchema("mig_app")
            .locations("classpath:db/migration/app")
            .load();
    appFlyway.migrate();
    long appHistory = db.queryLong("SELECT count(*) FROM mig_app.flyway_schema_history");

    OutpostMigrations.builder().dataSource(db.dataSource()).schema("mig_app").build().migrate();

    assertThat(db.queryLong("SELECT count(*) FROM mig_app.flyway_schema_history"))
        .isEqualTo(appHistory);
    assertThat(tables("mig_app")).contains("app_orders").containsAll(OUTPOST_TABLES);
    appFlyway.validate();
    assertThat(appFlyway.info().pending()).isEmpty();
  }

  @Test
  void rejects_a_schema_name_that_is_not_a_plain_identifier() {
    assertThatThrownBy(
            () ->
                OutpostMigrations.builder().dataSource(db.dataSource()).schema("My Schema").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("schema is 'My Schema'")
        .hasMessageContaining("[a-z0-9_]");
  }

  @Test
  void says_when_the_database_cannot_be_reached_and_names_the_schema() {
    DataSource nowhere =
        OutpostPostgres.unpooled("jdbc:postgresql://127.0.0.1:1/nothing?connectTimeout=2", "x", "");

    assertThatThrownBy(
            () ->
                OutpostMigrations.builder()
                    .dataSource(nowhere)
                    .schema("mig_nowhere")
                    .build()
                    .migrate())
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("could not connect")
        .hasMessageContaining("'mig_nowhere'")
        .hasMessageContaining("JDBC URL");
  }

  @Test
  void says_when_the_user_may_not_create_the_schema_and_names_it() {
    db.execute("DROP SCHEMA IF EXISTS mig_forbidden CASCADE");
    // A password: servers of the Testcontainers path (the official image) use password auth.
    String password = "outpost-no-rights";
    db.execute(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'outpost_no_rights')"
            + " THEN CREATE ROLE outpost_no_rights LOGIN PASSWORD '"
            + password
            + "'; END IF; END $$");
    db.execute("ALTER ROLE outpost_no_rights LOGIN PASSWORD '" + password + "'");
    db.execute(
        "DO $$ BEGIN EXECUTE format('REVOKE CREATE ON DATABASE %I FROM PUBLIC, outpost_no_rights',"
            + " current_database()); END $$");
    String url = db.jdbcUrl().replaceFirst("\\?.*$", "");
    DataSource restricted = OutpostPostgres.unpooled(url, "outpost_no_rights", password);

    assertThatThrownBy(
            () ->
                OutpostMigrations.builder()
                    .dataSource(restricted)
                    .schema("mig_forbidden")
                    .build()
                    .migrate())
        .isInstanceOf(MigrationException.class)
        .hasMessageContaining("'mig_forbidden'")
        .hasMessageContaining("may create");
  }

  private List<String> tables(String schema) {
    return names(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = '" + schema + "'");
  }

  private List<String> indexes(String schema) {
    return names("SELECT indexname FROM pg_indexes WHERE schemaname = '" + schema + "'");
  }

  private List<String> names(String sql) {
    List<String> names = new ArrayList<>();
    try (Connection connection = db.dataSource().getConnection();
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery(sql)) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
    return names;
  }
}
