package dev.outpost.examples;

import dev.outpost.migrations.OutpostMigrations;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;

/** Placeholder entry point: migrates an embedded PostgreSQL and lists Outpost's tables. */
public final class OrderTimeoutApp {
  private OrderTimeoutApp() {}

  /** Runs the placeholder. */
  public static void main(String[] args) throws Exception {
    try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().start()) {
      OutpostMigrations.migrate(postgres.getPostgresDatabase());
      try (Connection connection = postgres.getPostgresDatabase().getConnection();
          ResultSet rs =
              connection
                  .createStatement()
                  .executeQuery(
                      "SELECT table_name FROM information_schema.tables"
                          + " WHERE table_schema = 'public' ORDER BY 1")) {
        while (rs.next()) {
          System.out.println(rs.getString(1));
        }
      }
    }
  }
}
