package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.migrations.OutpostMigrations;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;
import org.junit.jupiter.api.Test;

class QuartzMigrationTest {

  private static final String COMMITTED =
      "dev/outpost/migrations/postgresql/V2__quartz_tables.sql"; // in db-migrations' jar

  private final TestDatabase db = OutpostPostgres.shared();

  @Test
  void the_committed_quartz_migration_matches_the_ddl_in_the_quartz_jar() {
    // When this fails, the Quartz version on the classpath ships other DDL than the released
    // migration: add a V<n> migration with the difference (never edit V2), then update the
    // comparison here to V2 + V<n>.
    assertThat(normalized(QuartzDdl.split(QuartzDdl.read(COMMITTED))))
        .isEqualTo(normalized(QuartzDdl.postgresStatements()));
  }

  @Test
  void a_schema_migrated_by_the_released_java_migration_still_migrates_and_validates() {
    db.execute("DROP SCHEMA IF EXISTS mig_legacy_v2 CASCADE");
    OutpostMigrations migrations =
        OutpostMigrations.builder().dataSource(db.dataSource()).schema("mig_legacy_v2").build();
    // The schema as the released version left it: V1 (SQL), then V2 as a Java migration.
    Flyway.configure(getClass().getClassLoader())
        .dataSource(db.dataSource())
        .schemas("mig_legacy_v2")
        .defaultSchema("mig_legacy_v2")
        .table(OutpostMigrations.DEFAULT_HISTORY_TABLE)
        .locations(OutpostMigrations.LOCATION)
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .target("1")
        .load()
        .migrate();
    Flyway.configure(getClass().getClassLoader())
        .dataSource(db.dataSource())
        .schemas("mig_legacy_v2")
        .defaultSchema("mig_legacy_v2")
        .table(OutpostMigrations.DEFAULT_HISTORY_TABLE)
        .locations("classpath:db/migration/legacyoutpost")
        .validateOnMigrate(false)
        .load()
        .migrate();
    assertThat(appliedV2(migrations).getType().name()).isEqualTo("JDBC");

    String version = migrations.migrate();

    assertThat(version).isEqualTo("4");
    migrations.flyway().validate();
    assertThat(appliedV2(migrations).getType().name()).isEqualTo("SQL");
    assertThat(appliedV2(migrations).getChecksum()).isNotNull();
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM information_schema.tables"
                    + " WHERE table_schema = 'mig_legacy_v2' AND table_name LIKE 'qrtz%'"))
        .isEqualTo(11);
    assertThat(migrations.migrate()).isEqualTo("4");
  }

  private static MigrationInfo appliedV2(OutpostMigrations migrations) {
    for (MigrationInfo info : migrations.flyway().info().applied()) {
      if (info.getVersion() != null && "2".equals(info.getVersion().getVersion())) {
        return info;
      }
    }
    throw new AssertionError("no applied version 2");
  }

  private static List<String> normalized(List<String> statements) {
    return statements.stream().map(s -> s.replaceAll("\\s+", " ").strip()).toList();
  }
}
