package dev.outpost.examples;

import dev.outpost.common.Dialect;
import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;

/** The app's tables and statements on the shared test PostgreSQL. */
class PostgresShopTablesTest extends ShopTablesContract {

  @Override
  TestDatabase database() {
    return OutpostPostgres.shared();
  }

  @Override
  Dialect expectedDialect() {
    return Dialect.POSTGRESQL;
  }
}
