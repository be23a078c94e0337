package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class BadConfigurationTest {

  private static Relay.Builder relay(TestDatabase db) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(new RecordingPublisher())
        .listen(false);
  }

  @Test
  void refuses_to_start_with_a_partition_count_other_than_the_lease_table_was_created_for(
      TestDatabase db) {
    try (Relay first = relay(db).partitions(32).build()) {
      first.runOnce();
    }

    try (Relay relay = relay(db).partitions(16).build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(OutpostException.class)
          .hasMessageContainingAll(
              "relay_lease in schema 'public' holds 32 partitions (0..31)",
              "configured with partitions(16)",
              "configure partitions(32)");
      assertThat(relay.health().state()).isEqualTo(RelayHealth.State.NEW);
    }
    try (Relay relay = relay(db).partitions(64).build()) {
      assertThatThrownBy(relay::runOnce).hasMessageContaining("holds 32 partitions");
    }
    assertThat(db.queryLong("SELECT count(*) FROM relay_lease")).isEqualTo(32);
  }

  @Test
  void refuses_to_start_when_outbox_rows_lie_beyond_the_configured_partitions(TestDatabase db) {
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
            + " headers, created_at, available_at) VALUES ("
            + Sql.randomUuid(db)
            + ", 't', 'k', 20, 'x', '{}', now(), now())");

    try (Relay relay = relay(db).partitions(16).build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(OutpostException.class)
          .hasMessageContainingAll(
              "has messages in partition 20",
              "configured with partitions(16)",
              "writer's partition count",
              "at least 21");
    }
  }

  @Test
  void refuses_to_start_on_a_schema_without_outpost_tables(TestDatabase db) {
    try (Relay relay = relay(db).schema("no_such_schema").build()) {
      assertThatThrownBy(relay::start)
          .isInstanceOf(OutpostException.class)
          .hasMessageContainingAll(
              "Outpost's tables are missing in schema 'no_such_schema'", "OutpostMigrations");
    }
  }

  @Test
  void works_on_a_schema_of_its_own(TestDatabase db) {
    db.migrateSchema("relay_other");
    db.execute("TRUNCATE TABLE relay_other.outbox_message");
    db.execute("TRUNCATE TABLE relay_other.relay_lease");
    RecordingPublisher publisher = new RecordingPublisher();
    var outbox = dev.outpost.outbox.Outbox.builder().schema("relay_other").build();
    new Messages(db.dataSource(), outbox).sendSpread("t", 10, 2);

    try (Relay relay = relay(db).schema("relay_other").publisher(publisher).build()) {
      assertThat(relay.runOnce()).isEqualTo(10);
    }
    assertThat(db.queryLong("SELECT count(*) FROM relay_other.outbox_message")).isZero();
  }
}
