package db.migration.outpost;

import dev.outpost.migrations.internal.QuartzDdl;
import java.sql.Statement;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;

/**
 * Creates Quartz's {@code qrtz_*} tables from the PostgreSQL DDL that ships inside the Quartz jar
 * on the classpath, so the tables cannot drift from the Quartz version in use. The DDL's {@code
 * DROP TABLE} lines and its {@code COMMIT} are skipped: Flyway owns the transaction and never drops
 * anything.
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
