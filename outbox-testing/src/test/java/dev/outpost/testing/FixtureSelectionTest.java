package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class FixtureSelectionTest {

  /** The PostgreSQL service these machines run; .ci/run starts it when it is down. */
  private static final String LOCAL_SERVICE_URL = "jdbc:postgresql://127.0.0.1:5432/test";

  @Test
  void uses_the_database_named_by_OUTPOST_TEST_JDBC_URL() {
    TestDatabase database =
        OutpostPostgres.start(
            Map.of(
                OutpostPostgres.ENV_JDBC_URL, LOCAL_SERVICE_URL,
                OutpostPostgres.ENV_USER, "postgres",
                OutpostPostgres.ENV_SCHEMA, "outpost_fixture_env"));
    try {
      assertThat(database.source()).startsWith("env");
      assertThat(database.queryLong("SELECT inet_server_port()")).isEqualTo(5432);
      assertThat(database.queryLong("SELECT count(*) FROM outpost_fixture_env.outbox_message"))
          .isZero();
    } finally {
      database.execute("DROP SCHEMA outpost_fixture_env CASCADE");
      database.close();
    }
  }

  @Test
  void the_shared_database_follows_the_documented_order() {
    Map<String, String> env = System.getenv();
    String source = OutpostPostgres.shared().source();
    String url = env.get(OutpostPostgres.ENV_JDBC_URL);
    String expected =
        url != null && !url.isBlank()
            ? "env"
            : Docker.selected(env) ? "testcontainers" : "embedded";
    assertThat(source).startsWith(expected);
    assertThat(OutpostPostgres.shared().queryLong("SELECT count(*) FROM relay_lease")).isZero();
  }
}
