package dev.outpost.spring.boot;

import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;

/**
 * The test JVM's database as Spring Boot properties: PostgreSQL, or MariaDB in the {@code mariadb}
 * run ({@code -Doutpost.test.database=mariadb}).
 */
final class StarterTestDatabase {

  private StarterTestDatabase() {}

  static TestDatabase db() {
    return OutpostPostgres.shared();
  }

  /** {@code spring.datasource.*} and {@code outpost.schema} for the shared database. */
  static String[] properties(String... more) {
    TestDatabase db = db();
    List<String> all = new ArrayList<>();
    all.add("spring.datasource.url=" + db.jdbcUrl());
    all.add("spring.datasource.username=" + db.user());
    all.add("spring.datasource.password=" + db.password());
    all.add("spring.flyway.enabled=false");
    all.add("outpost.schema=" + db.schema());
    all.addAll(List.of(more));
    return all.toArray(String[]::new);
  }
}
