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
  POSTGRESQL("PostgreSQL");

  private final String productName;

  Dialect(String productName) {
    this.productName = productName;
  }

  /**
   * {@code schema.table} quoted for this database. Both names must be plain lower-case identifiers
   * (the builders check them), so quoting never changes their meaning.
   */
  public String qualify(String schema, String table) {
    return quote(schema) + '.' + quote(table);
  }

  /** {@code identifier} quoted for this database. */
  public String quote(String identifier) {
    return switch (this) {
      case POSTGRESQL -> '"' + identifier + '"';
    };
  }

  /** Whether {@code e} (or a cause) says a table or schema does not exist: migrations not run. */
  public boolean isMissingTable(SQLException e) {
    return hasState(e, "42P01", "3F000");
  }

  /** Whether {@code e} (or a cause) is a unique-key violation. */
  public boolean isUniqueViolation(SQLException e) {
    return hasState(e, "23505");
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
    for (Dialect dialect : values()) {
      if (name.equals(dialect.productName.toLowerCase(Locale.ROOT))) {
        return dialect;
      }
    }
    throw new UnsupportedDatabaseException(productName, version);
  }
}
