package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.UnsupportedDatabaseException;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import dev.outpost.testing.VersionReportingDataSource;
import java.sql.Connection;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class DialectChoiceTest {

  @Test
  void refuses_mysql_5_7_at_build_naming_the_version_found_and_needed(TestDatabase db) {
    assertThatThrownBy(
            () ->
                Outbox.builder()
                    .schema(db.schema())
                    .dataSource(new VersionReportingDataSource(db.dataSource(), "MySQL", "5.7.44"))
                    .build())
        .isInstanceOf(UnsupportedDatabaseException.class)
        .hasMessageContaining("5.7.44")
        .hasMessageContaining("MySQL 8.0 or newer");
  }

  @Test
  void refuses_an_old_mariadb_on_first_send_before_writing(TestDatabase db) throws Exception {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    try (Connection connection =
        new VersionReportingDataSource(db.dataSource(), "MariaDB", "10.5.9-MariaDB")
            .getConnection()) {
      connection.setAutoCommit(false);
      assertThatThrownBy(
              () ->
                  outbox.sendAll(
                      connection, List.of(OutboxMessage.to("orders").payload("x").build())))
          .isInstanceOf(UnsupportedDatabaseException.class)
          .hasMessageContaining("MariaDB 10.6 or newer");
      connection.rollback();
    }
    assertThat(OutboxRows.count(db)).isZero();
  }

  @Test
  void detects_the_test_database_and_writes_there(TestDatabase db) throws Exception {
    Outbox outbox = Outbox.builder().schema(db.schema()).dataSource(db.dataSource()).build();
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      outbox.send(connection, OutboxMessage.to("orders").payload("x").build());
      connection.commit();
    }
    assertThat(OutboxRows.count(db)).isEqualTo(1);
  }

  @Test
  void refuses_keys_the_mysql_column_cannot_hold_before_writing(TestDatabase db) throws Exception {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    String key = "k".repeat(256);
    try (Connection connection = db.dataSource().getConnection()) {
      connection.setAutoCommit(false);
      if (db.isPostgres()) {
        outbox.send(connection, OutboxMessage.to("orders").key(key).payload("x").build());
        connection.commit();
        assertThat(OutboxRows.count(db)).isEqualTo(1);
      } else {
        assertThatThrownBy(
                () ->
                    outbox.send(
                        connection, OutboxMessage.to("orders").key(key).payload("x").build()))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage(
                "key is 256 characters; allowed 1..255 on MySQL/MariaDB (VARCHAR(255) column)");
        connection.rollback();
        assertThat(OutboxRows.count(db)).isZero();
      }
    }
  }
}
