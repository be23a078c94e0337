package dev.outpost.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.Dialect;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BenchDatabaseTest {

  @Test
  void removesTheDatabaseArgumentBeforePositionalParsing() {
    assertThat(
            BenchDatabase.withoutDatabaseArgs(
                new String[] {"1000", "--database", "mariadb", "200", "--database=postgresql"}))
        .containsExactly("1000", "200");
  }

  @Test
  void refusesAnUnknownDatabaseNamingTheChoices() {
    assertThatThrownBy(
            () -> BenchDatabase.fromArgs(new String[] {"--database", "oracle"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'oracle'")
        .hasMessageContaining("postgresql or mariadb");
    assertThatThrownBy(() -> BenchDatabase.fromArgs(new String[] {"--database"}, Map.of()))
        .hasMessageContaining("--database needs a value");
  }

  @Test
  void opensAMigratedMariaDbDatabase() throws Exception {
    try (BenchDatabase database =
            BenchDatabase.fromArgs(new String[] {"10", "--database", "mariadb"}, Map.of());
        var pool = database.pool("bench-test", 2);
        Connection connection = pool.getConnection();
        Statement statement = connection.createStatement();
        ResultSet tables =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = '"
                    + database.schema()
                    + "' AND table_name = 'outbox_message'")) {
      assertThat(database.dialect()).isEqualTo(Dialect.MYSQL);
      assertThat(Dialect.detect(connection)).isEqualTo(Dialect.MYSQL);
      tables.next();
      assertThat(tables.getInt(1)).isEqualTo(1);
    }
  }
}
