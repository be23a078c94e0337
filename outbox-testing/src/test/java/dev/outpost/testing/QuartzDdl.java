package dev.outpost.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the PostgreSQL DDL shipped in the Quartz jar and splits it into statements (what the
 * released Java migration {@code V2__quartz_tables} did at migration time; now only the tests
 * compare it with the committed SQL migration).
 */
public final class QuartzDdl {

  /** Where Quartz keeps its PostgreSQL DDL inside its jar. */
  public static final String RESOURCE = "org/quartz/impl/jdbcjobstore/tables_postgres.sql";

  private QuartzDdl() {}

  /**
   * The CREATE statements of Quartz's PostgreSQL DDL, without comments, DROPs and COMMIT.
   *
   * @throws IllegalStateException if the Quartz jar is not on the classpath
   */
  public static List<String> postgresStatements() {
    return split(read());
  }

  static String read() {
    return read(RESOURCE);
  }

  static String read(String resource) {
    try (InputStream in = QuartzDdl.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "resource "
                + resource
                + " is not on the classpath; add org.quartz-scheduler:quartz (2.5.x) to the"
                + " application's dependencies");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + resource, e);
    }
  }

  static List<String> split(String script) {
    StringBuilder withoutComments = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.strip();
      if (!trimmed.startsWith("--")) {
        withoutComments.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String part : withoutComments.toString().split(";")) {
      String statement = part.strip();
      String upper = statement.toUpperCase(Locale.ROOT);
      if (statement.isEmpty() || upper.startsWith("DROP ") || upper.equals("COMMIT")) {
        continue;
      }
      statements.add(statement);
    }
    return List.copyOf(statements);
  }
}
