package dev.outpost.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

class MysqlDialectTest {

  @Test
  void detects_postgresql_mysql_8_and_mariadb_10_6() {
    assertThat(Dialect.fromProductName("PostgreSQL", "17.2")).isEqualTo(Dialect.POSTGRESQL);
    assertThat(Dialect.fromProductName("MySQL", "8.0.36")).isEqualTo(Dialect.MYSQL);
    assertThat(Dialect.fromProductName("MySQL", "9.1.0")).isEqualTo(Dialect.MYSQL);
    assertThat(Dialect.fromProductName("MariaDB", "10.6.18-MariaDB")).isEqualTo(Dialect.MYSQL);
    assertThat(Dialect.fromProductName("MariaDB", "11.4.2-MariaDB-log")).isEqualTo(Dialect.MYSQL);
    // MySQL's driver talking to MariaDB
    assertThat(Dialect.fromProductName("MySQL", "5.5.5-10.11.6-MariaDB-0+deb12u1"))
        .isEqualTo(Dialect.MYSQL);
  }

  @Test
  void refuses_mysql_5_7_naming_found_and_needed_versions() {
    assertThatThrownBy(() -> Dialect.fromProductName("MySQL", "5.7.44"))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("5.7.44")
        .hasMessageContaining("MySQL 8.0 or newer");
  }

  @Test
  void refuses_mariadb_before_10_6_naming_found_and_needed_versions() {
    assertThatThrownBy(() -> Dialect.fromProductName("MariaDB", "10.5.23-MariaDB"))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("10.5.23")
        .hasMessageContaining("MariaDB 10.6 or newer");
    assertThatThrownBy(() -> Dialect.fromProductName("MySQL", "5.5.5-10.4.32-MariaDB"))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("MariaDB 10.4 is too old");
  }

  @Test
  void refuses_other_databases() {
    assertThatThrownBy(() -> Dialect.fromProductName("H2", "2.2.224"))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("'H2'")
        .hasMessageContaining("MariaDB 10.6+");
  }

  @Test
  void quotes_and_qualifies_per_dialect() {
    assertThat(Dialect.POSTGRESQL.qualify("shop", "outbox_message"))
        .isEqualTo("\"shop\".\"outbox_message\"");
    assertThat(Dialect.MYSQL.qualify("shop", "outbox_message"))
        .isEqualTo("`shop`.`outbox_message`");
    assertThat(Dialect.MYSQL.qualify("public", "outbox_message")).isEqualTo("`outbox_message`");
  }

  @Test
  void classifies_mysql_errors_by_error_code() {
    assertThat(Dialect.MYSQL.isUniqueViolation(new SQLException("dup", "23000", 1062))).isTrue();
    assertThat(Dialect.MYSQL.isUniqueViolation(new SQLException("null", "23000", 1048))).isFalse();
    assertThat(Dialect.MYSQL.isMissingTable(new SQLException("no table", "42S02", 1146))).isTrue();
  }
}
