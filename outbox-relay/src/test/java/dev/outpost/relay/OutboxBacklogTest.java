package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutpostException;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class OutboxBacklogTest {

  private final TestDatabase db;

  OutboxBacklogTest(TestDatabase db) {
    this.db = db;
  }

  @Test
  void counts_waiting_messages_per_partition_with_the_oldest_creation_time() {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    Messages messages = new Messages(db.dataSource(), outbox);
    messages.sendSpread("t", 40, 8);
    OutboxBacklog backlog = OutboxBacklog.create(db.dataSource(), db.schema());

    List<PartitionBacklog> partitions = backlog.byPartition();

    assertThat(partitions.stream().mapToLong(PartitionBacklog::messages).sum()).isEqualTo(40);
    assertThat(partitions)
        .extracting(PartitionBacklog::partition)
        .isSorted()
        .allSatisfy(p -> assertThat(p).isBetween(0, outbox.config().partitions() - 1));
    for (PartitionBacklog p : partitions) {
      assertThat(p.messages())
          .isEqualTo(
              db.queryLong(
                  "SELECT count(*) FROM "
                      + db.schema()
                      + ".outbox_message WHERE partition_no = "
                      + p.partition()));
      assertThat(p.oldestCreatedAt()).isNotNull();
    }
  }

  @Test
  void an_empty_outbox_has_no_partitions_and_a_missing_schema_says_so() {
    assertThat(OutboxBacklog.create(db.dataSource(), db.schema()).byPartition()).isEmpty();
    assertThatThrownBy(() -> OutboxBacklog.create(db.dataSource(), "no_such_schema").byPartition())
        .isInstanceOf(OutpostException.class)
        .hasMessageContaining("no_such_schema")
        .hasMessageContaining("OutpostMigrations");
  }
}
