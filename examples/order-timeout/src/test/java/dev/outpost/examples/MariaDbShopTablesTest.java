package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.common.Dialect;
import dev.outpost.testing.OutpostMariaDb;
import dev.outpost.testing.TestDatabase;
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
}
