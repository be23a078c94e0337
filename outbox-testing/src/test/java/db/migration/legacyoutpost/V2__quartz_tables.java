package db.migration.legacyoutpost;

import dev.outpost.testing.QuartzDdl;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * The Java migration Outpost released as version 2 before the Quartz tables became a committed SQL
 * migration: it created the tables from the DDL in the Quartz jar. Kept for the test that a schema
 * migrated by it still migrates and validates.
 */
public class V2__quartz_tables extends BaseJavaMigration {

  @Override
  public void migrate(Context context) throws Exception {
    try (Statement statement = context.getConnection().createStatement()) {
      for (String ddl : QuartzDdl.postgresStatements()) {
        statement.execute(ddl);
      }
    }
  }
}
