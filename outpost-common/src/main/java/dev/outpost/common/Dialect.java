package dev.outpost.common;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import javax.sql.DataSource;

/**
 * The database an Outpost component talks to. Each table's SQL lives in one class per dialect;
 * components detect the dialect from their {@link DataSource} (or the caller's connection) unless a
 * builder sets it explicitly.
 */
public enum Dialect {
  /** PostgreSQL 13 or newer. */
  POSTGRESQL("PostgreSQL"),

  /**
   * MySQL 8.0 or newer, and MariaDB 10.6 or newer (both have {@code SELECT ... FOR UPDATE SKIP
   * LOCKED}, which the relay's and the delay scheduler's claims need). On this dialect the schema
   * is MySQL's database; the default schema {@value OutpostTableNames#DEFAULT_SCHEMA} means the
   * connection's current database.
   */
  MYSQL("MySQL");

  /** The oldest MySQL release Outpost runs on. */
  public static final String MYSQL_MINIMUM = "8.0";

  /** The oldest MariaDB release Outpost runs on. */
  public static final String MARIADB_MINIMUM = "10.6";

  private final String productName;

  Dialect(String productName) {
    this.productName = productName;
  }

  /**
   * {@code schema.table} quoted for this database. Both names must be plain lower-case identifiers
   * (the builders check them), so quoting never changes their meaning.
   */
  public String qualify(String schema, String table) {
    if (this == MYSQL && OutpostTableNames.DEFAULT_SCHEMA.equals(schema)) {
      return quote(table);
    }
    return quote(schema) + '.' + quote(table);
  }

  /** {@code identifier} quoted for this database. */
  public String quote(String identifier) {
    return switch (this) {
      case POSTGRESQL -> '"' + identifier + '"';
      case MYSQL -> '`' + identifier + '`';
    };
  }

  /** Whether {@code e} (or a cause) says a table or schema does not exist: migrations not run. */
  public boolean isMissingTable(SQLException e) {
    return switch (this) {
      case POSTGRESQL -> hasState(e, "42P01", "3F000");
      // ER_NO_SUCH_TABLE, ER_BAD_DB_ERROR
      case MYSQL -> hasState(e, "42S02") || hasErrorCode(e, 1146, 1049);
    };
  }

  /** Whether {@code e} (or a cause) is a unique-key violation. */
  public boolean isUniqueViolation(SQLException e) {
    return switch (this) {
      case POSTGRESQL -> hasState(e, "23505");
      // ER_DUP_ENTRY (SQLSTATE 23000 also covers other integrity violations)
      case MYSQL -> hasErrorCode(e, 1062);
    };
  }

  private static boolean hasErrorCode(SQLException e, int... codes) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        for (int code : codes) {
          if (s.getErrorCode() == code) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static boolean hasState(SQLException e, String... states) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        for (String state : states) {
          if (state.equals(s.getSQLState())) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The product name the JDBC driver reports for this database. */
  public String productName() {
    return productName;
  }

  /**
   * The dialect of the database behind {@code dataSource}, read from the driver's metadata on one
   * short-lived connection.
   *
   * @throws UnsupportedDatabaseException if the database is not one Outpost supports
   * @throws dev.outpost.outbox.OutpostException if no connection can be opened
   */
  public static Dialect detect(DataSource dataSource) {
    if (dataSource == null) {
      throw new IllegalArgumentException("dataSource must not be null");
    }
    try (Connection connection = dataSource.getConnection()) {
      return detect(connection);
    } catch (SQLException e) {
      throw new dev.outpost.outbox.OutpostException(
          "could not open a connection to detect the database: "
              + e.getMessage()
              + ". Check the JDBC URL, user and password, or set the dialect on the builder.",
          e);
    }
  }

  /**
   * The dialect of the database behind {@code connection}.
   *
   * @throws UnsupportedDatabaseException if the database is not one Outpost supports
   */
  public static Dialect detect(Connection connection) throws SQLException {
    DatabaseMetaData metaData = connection.getMetaData();
    return fromProductName(metaData.getDatabaseProductName(), metaData.getDatabaseProductVersion());
  }

  /**
   * The dialect for a JDBC product name (as {@link DatabaseMetaData#getDatabaseProductName()}
   * reports it).
   *
   * @throws UnsupportedDatabaseException if the database is not one Outpost supports
   */
  public static Dialect fromProductName(String productName, String version) {
    String name = productName == null ? "" : productName.toLowerCase(Locale.ROOT);
    String v = version == null ? "" : version;
    if (name.equals("postgresql")) {
      return POSTGRESQL;
    }
    if (name.equals("mariadb")
        || (name.equals("mysql") && v.toLowerCase(Locale.ROOT).contains("mariadb"))) {
      // MySQL's driver reports MariaDB as "MySQL" with a version like "5.5.5-10.11.6-MariaDB".
      String release = v.startsWith("5.5.5-") ? v.substring("5.5.5-".length()) : v;
      requireAtLeast("MariaDB", release, MARIADB_MINIMUM, productName, version);
      return MYSQL;
    }
    if (name.equals("mysql")) {
      requireAtLeast("MySQL", v, MYSQL_MINIMUM, productName, version);
      return MYSQL;
    }
    throw new UnsupportedDatabaseException(productName, version);
  }

  private static void requireAtLeast(
      String product, String release, String minimum, String productName, String version) {
    int[] found = majorMinor(release);
    int[] needed = majorMinor(minimum);
    if (found == null) {
      return; // an unparseable version is let through; the first statement will tell
    }
    if (found[0] < needed[0] || (found[0] == needed[0] && found[1] < needed[1])) {
      throw new UnsupportedDatabaseException(
          productName,
          version,
          product
              + " "
              + found[0]
              + "."
              + found[1]
              + " is too old: Outpost needs "
              + product
              + " "
              + minimum
              + " or newer (SELECT ... FOR UPDATE SKIP LOCKED)");
    }
  }

  private static int[] majorMinor(String version) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(version);
    if (!m.find()) {
      return null;
    }
    return new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))};
  }
}
