package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.UnsupportedDatabaseException;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostMariaDb;
import dev.outpost.testing.TestDatabase;
import org.junit.jupiter.api.Test;

/** The relay has no MySQL/MariaDB statements yet: it refuses such a database before writing. */
class MysqlRefusalTest {

  @Test
  void refuses_to_start_on_mariadb_naming_the_database_and_writes_no_lease() {
    TestDatabase maria = OutpostMariaDb.shared();
    try (Relay relay =
        Relay.builder()
            .dataSource(maria.dataSource())
            .schema(maria.schema())
            .publisher(new RecordingPublisher())
            .listen(false)
            .build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(UnsupportedDatabaseException.class)
          .hasMessageContaining("MariaDB")
          .hasMessageContaining("the relay runs on PostgreSQL only so far");
    }
    assertThat(maria.queryLong("SELECT count(*) FROM " + maria.qualified("relay_lease"))).isZero();
  }
}
