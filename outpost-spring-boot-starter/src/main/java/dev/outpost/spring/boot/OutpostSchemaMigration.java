package dev.outpost.spring.boot;

import dev.outpost.migrations.OutpostMigrations;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;

/**
 * Creates or upgrades Outpost's tables with Outpost's own migrations ({@code
 * outpost.migration.mode=outpost}, the default) when the context starts, before any Outpost
 * component runs. Outpost keeps its own Flyway history table, so the application's Flyway history
 * is never touched.
 */
public final class OutpostSchemaMigration implements InitializingBean {

  private static final Logger log = LoggerFactory.getLogger(OutpostSchemaMigration.class);

  private final OutpostMigrations migrations;
  private volatile String version;

  /** Runs {@code migrations} on initialisation. */
  public OutpostSchemaMigration(OutpostMigrations migrations) {
    this.migrations = migrations;
  }

  @Override
  public void afterPropertiesSet() {
    version = migrations.migrate();
    log.info("outpost: schema '{}' at version {}", migrations.schema(), version);
  }

  /** The schema version after migrating, or null before. */
  public String version() {
    return version;
  }
}
