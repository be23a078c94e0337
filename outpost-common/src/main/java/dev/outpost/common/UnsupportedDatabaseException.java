package dev.outpost.common;

import dev.outpost.outbox.OutpostException;
import java.util.Arrays;
import java.util.stream.Collectors;

/** The database behind a data source is not one Outpost has SQL for. */
public final class UnsupportedDatabaseException extends OutpostException {
  private static final long serialVersionUID = 1L;

  private final String productName;

  /** The driver reported {@code productName} {@code version}. */
  public UnsupportedDatabaseException(String productName, String version) {
    super(
        "database '"
            + productName
            + "'"
            + (version == null ? "" : " (version " + version + ")")
            + " is not supported; Outpost supports "
            + Arrays.stream(Dialect.values())
                .map(Dialect::productName)
                .collect(Collectors.joining(", "))
            + " (MySQL "
            + Dialect.MYSQL_MINIMUM
            + "+ and MariaDB "
            + Dialect.MARIADB_MINIMUM
            + "+)");
    this.productName = productName;
  }

  /** The driver reported {@code productName} {@code version}, which is too old: {@code why}. */
  public UnsupportedDatabaseException(String productName, String version, String why) {
    super(
        "database '"
            + productName
            + "'"
            + (version == null ? "" : " (version " + version + ")")
            + " is not supported: "
            + why);
    this.productName = productName;
  }

  /** The product name the JDBC driver reported. */
  public String productName() {
    return productName;
  }
}
