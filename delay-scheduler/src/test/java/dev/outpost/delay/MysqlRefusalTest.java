package dev.outpost.delay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.common.UnsupportedDatabaseException;
import dev.outpost.testing.OutpostMariaDb;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The delay scheduler has no MySQL/MariaDB statements yet: it refuses such a database at start,
 * before Quartz writes its tables.
 */
class MysqlRefusalTest {

  @Test
  void refuses_to_start_on_mariadb_naming_the_database_and_writes_nothing() {
    TestDatabase maria = OutpostMariaDb.shared();
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(maria.dataSource())
            .schema(maria.schema())
            .sweepInterval(Duration.ofMillis(50))
            .quartzSchedulerName("outpost-mysql-refusal")
            .build()) {
      assertThatThrownBy(delay::start)
          .isInstanceOf(UnsupportedDatabaseException.class)
          .hasMessageContaining("MariaDB")
          .hasMessageContaining("the delay scheduler runs on PostgreSQL only so far");
    }
    assertThat(maria.queryLong("SELECT count(*) FROM " + maria.quote("QRTZ_SCHEDULER_STATE")))
        .isZero();
    assertThat(maria.queryLong("SELECT count(*) FROM " + maria.quote("QRTZ_TRIGGERS"))).isZero();
  }
}
