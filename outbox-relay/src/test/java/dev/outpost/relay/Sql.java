package dev.outpost.relay;

import dev.outpost.testing.TestDatabase;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/** SQL literals for test setup that differ between PostgreSQL and MariaDB/MySQL. */
final class Sql {

  private static final DateTimeFormatter DATETIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSS");

  private Sql() {}

  /** A message id literal ({@code uuid} or {@code BINARY(16)}). */
  static String uuid(TestDatabase db, UUID id) {
    return db.isPostgres() ? "'" + id + "'" : "UNHEX('" + id.toString().replace("-", "") + "')";
  }

  /** A fresh random message id. */
  static String randomUuid(TestDatabase db) {
    return db.isPostgres() ? "gen_random_uuid()" : "UNHEX(REPLACE(UUID(), '-', ''))";
  }

  /** A point-in-time literal ({@code timestamptz}, or {@code DATETIME(6)} in UTC). */
  static String time(TestDatabase db, Instant t) {
    return db.isPostgres()
        ? "'" + t + "'"
        : "'" + LocalDateTime.ofInstant(t, ZoneOffset.UTC).format(DATETIME) + "'";
  }

  /** The text of header {@code name} of a row's {@code headers}. */
  static String header(TestDatabase db, String name) {
    return db.isPostgres() ? "headers ->> '" + name + "'" : "JSON_VALUE(headers, '$." + name + "')";
  }
}
