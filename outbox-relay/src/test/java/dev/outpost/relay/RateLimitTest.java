package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.Outbox;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class RateLimitTest {

  @Test
  void a_rate_limit_publishes_a_burst_in_small_slices_and_keeps_the_rest_in_the_outbox(
      TestDatabase db) {
    new Messages(db.dataSource(), Outbox.builder().partitions(1).build()).sendSpread("t", 40, 4);
    RecordingPublisher recorder = new RecordingPublisher();
    List<Integer> batchSizes = new CopyOnWriteArrayList<>();
    Publisher publisher =
        new Publisher() {
          @Override
          public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
            batchSizes.add(batch.size());
            return recorder.publish(batch);
          }
        };

    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(1)
            .listen(false)
            .rateLimitPerSecond(100)
            .build()) {
      assertThat(relay.runOnce()).isEqualTo(10);
      assertThat(relay.runOnce()).isEqualTo(10);
    }

    assertThat(batchSizes).containsExactly(10, 10);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isEqualTo(20);
  }
}
