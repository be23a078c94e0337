package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

class MariaDbFixtureTest {

  @Test
  void the_chosen_server_answers_with_an_empty_database_of_its_own() throws Exception {
    OutpostMariaDb.ServerCoordinates server = OutpostMariaDb.start(System.getenv());
    try (Connection connection =
            DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement statement = connection.createStatement();
        ResultSet rs =
            statement.executeQuery(
                "SELECT count(*) FROM information_schema.tables"
                    + " WHERE table_schema = DATABASE()")) {
      rs.next();
      assertThat(rs.getLong(1)).isZero();
      assertThat(connection.getMetaData().getDatabaseProductVersion()).isNotBlank();
    }
  }

  @Test
  void embedded_mariadb_starts_from_maven_central_binaries() throws Exception {
    OutpostMariaDb.ServerCoordinates server = OutpostMariaDb.startEmbeddedForTest();
    try (Connection connection =
            DriverManager.getConnection(server.jdbcUrl(), server.user(), server.password());
        Statement statement = connection.createStatement();
        ResultSet rs = statement.executeQuery("SELECT version()")) {
      rs.next();
      assertThat(rs.getString(1)).contains("MariaDB");
    }
  }
}
