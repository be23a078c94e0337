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
}
