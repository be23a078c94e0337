package dev.outpost.relay.brokers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.relay.PublishResult;
import dev.outpost.relay.brokers.internal.BatchOutcome;
import dev.outpost.relay.brokers.internal.PublisherThreads;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchOutcomeTest {

  private final PublisherThreads threads = new PublisherThreads("outpost-test-publisher");

  @AfterEach
  void stop() {
    threads.close(Duration.ofSeconds(5));
  }

  @Test
  void keeps_the_first_outcome_of_each_message_and_completes_in_batch_order() throws Exception {
    BatchOutcome outcome = new BatchOutcome(3, threads.completion());
    RuntimeException boom = new RuntimeException("boom");

    assertThat(outcome.complete(2, PublishResult.confirmed())).isTrue();
    assertThat(outcome.complete(0, PublishResult.failed(boom))).isTrue();
    assertThat(outcome.complete(0, PublishResult.confirmed())).isFalse();
    assertThat(outcome.stage().toCompletableFuture()).isNotDone();
    outcome.complete(1, PublishResult.rejected(boom));

    List<PublishResult> results = outcome.stage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(results)
        .containsExactly(
            PublishResult.failed(boom), PublishResult.rejected(boom), PublishResult.confirmed());
    assertThat(results.contains(null)).isFalse();
  }

  @Test
  void expires_only_the_messages_without_an_outcome() throws Exception {
    BatchOutcome outcome = new BatchOutcome(2, threads.completion());
    outcome.complete(0, PublishResult.confirmed());
    RuntimeException late = new RuntimeException("late");

    outcome.expireAfter(
        threads.timer(),
        Duration.ofMillis(50),
        i -> outcome.complete(i, PublishResult.failed(late)));

    assertThat(outcome.stage().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .containsExactly(PublishResult.confirmed(), PublishResult.failed(late));
  }

  @Test
  void completes_an_empty_batch_at_once() {
    assertThat(new BatchOutcome(0, threads.completion()).stage().toCompletableFuture())
        .isCompletedWithValue(List.of());
  }

  @Test
  void completes_the_stage_on_a_publisher_thread() throws Exception {
    BatchOutcome outcome = new BatchOutcome(1, threads.completion());
    var thread =
        outcome.stage().toCompletableFuture().thenApply(r -> Thread.currentThread().getName());

    outcome.complete(0, PublishResult.confirmed());

    assertThat(thread.get(10, TimeUnit.SECONDS)).startsWith("outpost-test-publisher-completion");
  }
}
