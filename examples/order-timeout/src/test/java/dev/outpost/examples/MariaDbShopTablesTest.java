package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.Dialect;
import dev.outpost.testing.OutpostMariaDb;
import dev.outpost.testing.TestDatabase;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The app's MySQL/MariaDB migrations and statements on the test MariaDB (the local service, a
 * container or an embedded server; {@link OutpostMariaDb}).
 */
class MariaDbShopTablesTest extends ShopTablesContract {

  @Override
  TestDatabase database() {
    return OutpostMariaDb.shared();
  }

  @Override
  Dialect expectedDialect() {
    return Dialect.MYSQL;
  }

  @Test
  void a_jdbc_mysql_url_reaches_the_same_tables_through_the_mariadb_driver() {
    String mysqlUrl = database().jdbcUrl().replaceFirst("^jdbc:mariadb:", "jdbc:mysql:");
    try (AppDatabase viaMysqlScheme = open(mysqlUrl)) {
      assertThat(viaMysqlScheme.dialect()).isEqualTo(Dialect.MYSQL);
      assertThat(
              viaMysqlScheme.<java.util.List<StockRepository.StockLevel>>inTransaction(
                  tx -> viaMysqlScheme.stock().levels(tx)))
          .hasSize(AppDatabase.ITEMS.size());
    }
  }

  @Test
  void a_database_named_in_the_url_that_does_not_exist_yet_is_created() {
    String name = "outpost_app_" + Long.toHexString(System.nanoTime());
    String url = database().jdbcUrl().replaceFirst("/[^/?]+(\\?|$)", "/" + name + "$1");
    try (AppDatabase fresh =
        AppDatabase.open(
            AppConfig.parse(
                new String[] {
                  "--jdbc-url",
                  url,
                  "--jdbc-user",
                  database().user(),
                  "--jdbc-password",
                  database().password()
                },
                Map.of()))) {
      assertThat(fresh.dialect()).isEqualTo(Dialect.MYSQL);
      assertThat(
              database()
                  .queryLong(
                      "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                          + name
                          + "' AND table_name IN ('orders', 'stock', 'outbox_message')"))
          .as("the app's and Outpost's tables, migrated into the new database")
          .isEqualTo(3);
    } finally {
      database().execute("DROP DATABASE IF EXISTS " + name);
    }
  }

  @Test
  void a_wrong_password_is_one_clear_error() {
    assertThatThrownBy(
            () ->
                AppDatabase.open(
                    AppConfig.parse(
                        new String[] {
                          "--jdbc-url",
                          database().jdbcUrl(),
                          "--jdbc-user",
                          "outpost_nobody",
                          "--jdbc-password",
                          "wrong"
                        },
                        Map.of())))
        .isInstanceOf(DatabaseUnavailableException.class)
        .hasMessageContaining("check --jdbc-url, --jdbc-user and --jdbc-password");
  }
}
