package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class RelayBasicsTest {

  @Test
  void publishes_committed_messages_to_in_process_handlers_and_deletes_them(TestDatabase db) {
    List<RelayMessage> received = new CopyOnWriteArrayList<>();
    Publisher publisher = InProcessPublisher.builder().handler("orders", received::add).build();
    Messages messages = new Messages(db.dataSource());
    List<UUID> ids = messages.sendSpread("orders", 50, 5);

    try (Relay relay = Relay.builder().dataSource(db.dataSource()).publisher(publisher).build()) {
      relay.start();
      await().atMost(Duration.ofSeconds(20)).until(() -> received.size() >= 50);
    }

    assertThat(received)
        .extracting(RelayMessage::messageId)
        .containsExactlyInAnyOrderElementsOf(ids);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void run_once_publishes_one_batch_per_owned_partition(TestDatabase db) {
    RecordingPublisher publisher = new RecordingPublisher();
    new Messages(db.dataSource()).sendSpread("orders", 30, 3);

    try (Relay relay =
        Relay.builder().dataSource(db.dataSource()).publisher(publisher).listen(false).build()) {
      int published = relay.runOnce();

      assertThat(published).isEqualTo(30);
      assertThat(relay.health().ownedPartitions()).hasSize(16);
      assertThat(relay.health().backlog()).isZero();
    }
    assertThat(publisher.count()).isEqualTo(30);
    assertThat(db.queryLong("SELECT count(*) FROM relay_lease WHERE owner IS NOT NULL")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM relay_instance")).isZero();
  }

  @Test
  void accepts_publishers_that_answer_with_immutable_result_lists(TestDatabase db) {
    List<RelayMessage> received = new CopyOnWriteArrayList<>();
    Publisher immutableAnswers =
        batch -> {
          received.addAll(batch);
          return CompletableFuture.completedFuture(
              List.copyOf(batch.stream().map(m -> PublishResult.confirmed()).toList()));
        };
    new Messages(db.dataSource()).sendSpread("orders", 20, 4);

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(immutableAnswers)
            .listen(false)
            .build()) {
      assertThat(relay.runOnce()).isEqualTo(20);
    }
    assertThat(received).hasSize(20);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }
}
