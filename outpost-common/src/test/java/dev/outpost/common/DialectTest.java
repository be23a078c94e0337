package dev.outpost.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.internal.Check;
import dev.outpost.common.internal.SqlTemplate;
import dev.outpost.outbox.OutpostException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DialectTest {

  @Test
  void recognises_postgresql_by_the_drivers_product_name() {
    assertThat(Dialect.fromProductName("PostgreSQL", "17.2")).isEqualTo(Dialect.POSTGRESQL);
  }

  @Test
  void refuses_a_database_it_has_no_sql_for_and_says_which_it_supports() {
    assertThatThrownBy(() -> Dialect.fromProductName("H2", "2.3.232"))
        .isInstanceOf(UnsupportedDatabaseException.class)
        .isInstanceOf(OutpostException.class)
        .hasMessage(
            "database 'H2' (version 2.3.232) is not supported; Outpost supports PostgreSQL, MySQL"
                + " (MySQL 8.0+ and MariaDB 10.6+)");
  }

  @Test
  void renders_table_tokens_as_quoted_qualified_names() {
    SqlTemplate sql = new SqlTemplate(Dialect.POSTGRESQL, "shop");

    assertThat(sql.render("DELETE FROM {dedup_key} WHERE ctid = ?"))
        .isEqualTo("DELETE FROM \"shop\".\"dedup_key\" WHERE ctid = ?");
    assertThatThrownBy(() -> sql.render("SELECT * FROM {orders}"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("template token is {orders}; allowed:");
  }

  @Test
  void validation_messages_name_the_field_the_value_and_what_is_allowed() {
    assertThatThrownBy(() -> Check.range("batchSize", 0, 1, 10))
        .hasMessage("batchSize is 0; allowed 1..10");
    assertThatThrownBy(
            () -> Check.range("maxDelay", Duration.ZERO, Duration.ofSeconds(1), Duration.ofDays(1)))
        .hasMessage("maxDelay is PT0S; allowed PT1S..PT24H (inclusive)");
    assertThatThrownBy(() -> Check.identifier("schema", "My Schema"))
        .hasMessageStartingWith("schema is 'My Schema'; allowed: a plain lower-case identifier");
    assertThatThrownBy(() -> Check.notNull("clock", null)).hasMessage("clock must not be null");
  }
}
