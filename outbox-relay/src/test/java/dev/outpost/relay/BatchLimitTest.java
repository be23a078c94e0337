package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.Outbox;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A batch holds at most maxBatchBytes of payload, and always at least one message. */
@ExtendWith(OutpostDatabaseExtension.class)
class BatchLimitTest {

  @Test
  void cuts_batches_at_the_byte_limit_and_always_takes_one_message(TestDatabase db) {
    Messages messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
    List<OutboxMessage> batch = new ArrayList<>();
    batch.add(OutboxMessage.to("t").key("big").payload(new byte[5000]).build());
    for (int i = 0; i < 5; i++) {
      batch.add(OutboxMessage.to("t").key("k" + i).payload(new byte[600]).build());
    }
    messages.sendAll(batch);
    RecordingPublisher recording = new RecordingPublisher();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Publisher publisher =
        new Publisher() {
          @Override
          public CompletionStage<List<PublishResult>> publish(List<RelayMessage> messages) {
            sizes.add(messages.size());
            return recording.publish(messages);
          }
        };

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(1)
            .listen(false)
            .clock(MutableClock.atSystemTime())
            .maxBatchBytes(1024)
            .build()) {
      int published = 0;
      for (int i = 0; i < 10 && published < 6; i++) {
        published += relay.runOnce();
      }
      assertThat(published).isEqualTo(6);
    }
    // 5000 bytes alone (over the limit, but one message always goes), then 600 + 600, ...
    assertThat(sizes).containsExactly(1, 2, 2, 1);
    assertThat(recording.count()).isEqualTo(6);
  }

  @Test
  void small_messages_come_in_full_windows_and_a_large_one_switches_to_the_byte_cut(
      TestDatabase db) {
    Messages messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
    List<OutboxMessage> batch = new ArrayList<>();
    // batchSize 4, maxBatchBytes 1024: payloads up to 256 bytes need no cut.
    for (int i = 0; i < 4; i++) {
      batch.add(OutboxMessage.to("t").key("a" + i).payload(new byte[100]).build());
    }
    batch.add(OutboxMessage.to("t").key("b").payload(new byte[600]).build());
    for (int i = 0; i < 4; i++) {
      batch.add(OutboxMessage.to("t").key("c" + i).payload(new byte[100]).build());
    }
    batch.add(OutboxMessage.to("t").key("d").payload(new byte[2000]).build());
    messages.sendAll(batch);
    RecordingPublisher recording = new RecordingPublisher();
    List<Integer> sizes = new CopyOnWriteArrayList<>();
    Publisher publisher =
        new Publisher() {
          @Override
          public CompletionStage<List<PublishResult>> publish(List<RelayMessage> messages) {
            sizes.add(messages.size());
            return recording.publish(messages);
          }
        };

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(1)
            .listen(false)
            .clock(MutableClock.atSystemTime())
            .batchSize(4)
            .maxBatchBytes(1024)
            .build()) {
      int published = 0;
      for (int i = 0; i < 10 && published < 10; i++) {
        published += relay.runOnce();
      }
      assertThat(published).isEqualTo(10);
    }
    // a0..a3 (one statement); b + c0..c2 (600 + 300 bytes, byte cut); c3 + d (100 + 2000: d is
    // taken because the bytes before it are under the limit).
    assertThat(sizes).containsExactly(4, 4, 2);
    assertThat(recording.count()).isEqualTo(10);
    assertThat(recording.messages().stream().map(RelayMessage::key))
        .containsExactly("a0", "a1", "a2", "a3", "b", "c0", "c1", "c2", "c3", "d");
  }
}
