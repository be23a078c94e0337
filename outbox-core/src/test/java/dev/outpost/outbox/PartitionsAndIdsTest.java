package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.OutboxRows.Row;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class PartitionsAndIdsTest {

  private TestDatabase db;
  private DSLContext dsl;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    dsl = DSL.using(db.dataSource(), OutboxRows.jooqDialect(db));
  }

  @Test
  void writes_messages_with_the_same_key_into_the_same_partition() {
    Outbox outbox = Outbox.builder().schema(db.schema()).partitions(8).build();

    dsl.transaction(
        tx -> {
          for (int i = 0; i < 10; i++) {
            outbox.send(
                tx.dsl(), OutboxMessage.to("orders").key("order-42").payload("s" + i).build());
          }
          List<OutboxMessage> batch = new ArrayList<>();
          for (int i = 0; i < 10; i++) {
            batch.add(OutboxMessage.to("orders").key("order-42").payload("b" + i).build());
            batch.add(OutboxMessage.to("orders").key("order-" + i).payload("o" + i).build());
          }
          outbox.sendAll(tx.dsl(), batch);
        });

    Map<String, List<Integer>> partitionsByKey =
        OutboxRows.all(db).stream()
            .collect(
                Collectors.groupingBy(
                    Row::key, Collectors.mapping(Row::partitionNo, Collectors.toList())));
    assertThat(partitionsByKey.get("order-42"))
        .hasSize(20)
        .containsOnly(Partitioner.partitionOfKey("order-42", 8));
    partitionsByKey.forEach(
        (key, partitions) ->
            assertThat(partitions).containsOnly(Partitioner.partitionOfKey(key, 8)));
    assertThat(partitionsByKey.values().stream().map(p -> p.get(0)).distinct().count())
        .as("11 keys do not all share one partition")
        .isGreaterThan(1);
  }

  @Test
  void spreads_keyless_messages_evenly_over_the_partitions() {
    Outbox outbox = Outbox.builder().schema(db.schema()).partitions(16).build();

    dsl.transaction(
        tx -> {
          for (int i = 0; i < 32; i++) {
            outbox.send(tx.dsl(), OutboxMessage.to("metrics").payload("s" + i).build());
          }
          List<OutboxMessage> batch = new ArrayList<>();
          for (int i = 0; i < 32; i++) {
            batch.add(OutboxMessage.to("metrics").payload("b" + i).build());
          }
          outbox.sendAll(tx.dsl(), batch);
        });

    Map<Integer, Long> perPartition =
        OutboxRows.all(db).stream()
            .collect(Collectors.groupingBy(Row::partitionNo, Collectors.counting()));
    assertThat(perPartition)
        .hasSize(16)
        .allSatisfy((partition, count) -> assertThat(count).isEqualTo(4));
  }

  @Test
  void gives_messages_unique_time_ordered_ids() {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    List<UUID> sent = new ArrayList<>();

    for (int t = 0; t < 5; t++) {
      dsl.transaction(
          tx -> {
            for (int i = 0; i < 100; i++) {
              sent.add(outbox.send(tx.dsl(), OutboxMessage.to("orders").payload("x").build()));
            }
            List<OutboxMessage> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
              batch.add(OutboxMessage.to("orders").payload("y").build());
            }
            sent.addAll(outbox.sendAll(tx.dsl(), batch));
          });
    }

    List<UUID> byInsertOrder = OutboxRows.all(db).stream().map(Row::messageId).toList();
    assertThat(byInsertOrder).hasSize(1000).doesNotHaveDuplicates().containsExactlyElementsOf(sent);
    assertThat(byInsertOrder).allSatisfy(id -> assertThat(id.version()).isEqualTo(7));
    // PostgreSQL's uuid and MySQL's BINARY(16) order bytewise: the id order is the send order.
    List<UUID> byMessageId = OutboxRows.messageIdsInColumnOrder(db);
    assertThat(byMessageId).containsExactlyElementsOf(byInsertOrder);
  }
}
