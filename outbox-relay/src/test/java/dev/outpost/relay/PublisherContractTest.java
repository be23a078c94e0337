package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What every {@link Publisher} promises the relay; run against each implementation (and fake) so
 * they stay honest.
 */
abstract class PublisherContractTest {

  /** A publisher that fails every message of {@code failingKey} and confirms the rest. */
  abstract Publisher publisherFailing(String failingKey);

  /** The messages the publisher handed over so far, in order. */
  abstract List<UUID> delivered();

  private static RelayMessage message(long id, String key) {
    return new RelayMessage(
        id,
        UUID.randomUUID(),
        "t",
        key,
        0,
        new byte[] {1},
        Map.of("traceparent", "00-x"),
        Instant.now(),
        0);
  }

  private static List<PublishResult> publish(Publisher publisher, List<RelayMessage> batch)
      throws Exception {
    return publisher.publish(batch).toCompletableFuture().get();
  }

  @Test
  void returns_one_result_per_message_in_batch_order() throws Exception {
    Publisher publisher = publisherFailing("bad");
    List<RelayMessage> batch = List.of(message(1, "a"), message(2, null), message(3, "b"));

    List<PublishResult> results = publish(publisher, batch);

    assertThat(results).hasSize(3).allMatch(PublishResult::isConfirmed);
    assertThat(delivered())
        .containsExactly(
            batch.get(0).messageId(), batch.get(1).messageId(), batch.get(2).messageId());
  }

  @Test
  void does_not_send_later_messages_of_a_key_after_one_failed() throws Exception {
    Publisher publisher = publisherFailing("bad");
    List<RelayMessage> batch =
        new ArrayList<>(List.of(message(1, "bad"), message(2, "good"), message(3, "bad")));

    List<PublishResult> results = publish(publisher, batch);

    assertThat(results.get(0)).isInstanceOf(PublishResult.Failed.class);
    assertThat(results.get(1).isConfirmed()).isTrue();
    assertThat(results.get(2).isConfirmed()).isFalse();
    assertThat(delivered()).containsExactly(batch.get(1).messageId());
  }

  @Test
  void reports_failures_as_results_not_as_an_exceptional_stage() {
    Publisher publisher = publisherFailing("bad");

    assertThat(publisher.publish(List.of(message(1, "bad"))).toCompletableFuture())
        .succeedsWithin(java.time.Duration.ofSeconds(5));
  }
}
