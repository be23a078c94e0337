package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.internal.OutboxMessageSql.DeadLetterMove;
import dev.outpost.outbox.internal.OutboxMessageSql.Retry;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class BatchPlanTest {

  private static final Instant NOW = Instant.parse("2025-01-01T00:00:00Z");
  private static final Backoff NO_JITTER =
      new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0, new Random(1));
  private static final PublishResult OK = PublishResult.confirmed();
  private static final PublishResult FAIL = PublishResult.failed(new IllegalStateException("down"));
  private static final PublishResult REJECT =
      PublishResult.rejected(new IllegalArgumentException("too big"));

  private static RelayMessage message(long id, String key, int attempts) {
    return new RelayMessage(
        id, UUID.randomUUID(), "t", key, 0, new byte[0], Map.of(), NOW, attempts);
  }

  private static BatchPlan plan(List<RelayMessage> window, List<PublishResult> results) {
    return BatchPlan.of(window, results, NOW, NO_JITTER, 3);
  }

  @Test
  void deletes_every_confirmed_message_when_all_succeed() {
    BatchPlan plan =
        plan(
            List.of(message(1, "a", 0), message(2, "b", 0), message(3, null, 0)),
            List.of(OK, OK, OK));

    assertThat(plan.confirmedIds()).containsExactly(1, 2, 3);
    assertThat(plan.retries()).isEmpty();
    assertThat(plan.deadLetters()).isEmpty();
    assertThat(plan.published()).containsEntry("t", 3);
  }

  @Test
  void keeps_later_messages_of_a_failing_key_back_even_when_confirmed() {
    BatchPlan plan =
        plan(
            List.of(message(1, "a", 0), message(2, "b", 0), message(3, "a", 0), message(4, "b", 0)),
            List.of(FAIL, OK, OK, OK));

    assertThat(plan.confirmedIds()).containsExactly(2, 4);
    assertThat(plan.retries())
        .containsExactly(new Retry(1, NOW.plusSeconds(1), "java.lang.IllegalStateException: down"));
    assertThat(plan.held()).isEqualTo(1);
    assertThat(plan.nextRetryAt()).isEqualTo(NOW.plusSeconds(1));
  }

  @Test
  void deletes_earlier_confirmed_messages_of_a_key_that_fails_later() {
    BatchPlan plan = plan(List.of(message(1, "a", 0), message(2, "a", 0)), List.of(OK, FAIL));

    assertThat(plan.confirmedIds()).containsExactly(1);
    assertThat(plan.retries()).extracting(Retry::id).containsExactly(2L);
  }

  @Test
  void backs_off_exponentially_with_the_attempt_count() {
    BatchPlan plan = plan(List.of(message(1, "a", 1), message(2, "b", 0)), List.of(FAIL, FAIL));

    assertThat(plan.retries())
        .extracting(Retry::availableAt)
        .containsExactly(NOW.plusSeconds(2), NOW.plusSeconds(1));
    assertThat(plan.nextRetryAt()).isEqualTo(NOW.plusSeconds(1));
  }

  @Test
  void keyless_messages_never_hold_each_other_back() {
    BatchPlan plan = plan(List.of(message(1, null, 0), message(2, null, 0)), List.of(FAIL, OK));

    assertThat(plan.confirmedIds()).containsExactly(2);
    assertThat(plan.held()).isZero();
  }

  @Test
  void dead_letters_after_max_attempts_and_parks_the_key() {
    BatchPlan plan = plan(List.of(message(1, "a", 2), message(2, "a", 0)), List.of(FAIL, OK));

    assertThat(plan.deadLetters())
        .containsExactly(
            new DeadLetterMove(
                1, 3, "failed 3 times; last: java.lang.IllegalStateException: down"));
    assertThat(plan.confirmedIds()).isEmpty();
    assertThat(plan.held()).isEqualTo(1);
    assertThat(plan.deadLettered()).containsEntry("t", 1);
  }

  @Test
  void holds_the_rest_of_a_dead_lettered_key_without_counting_an_attempt() {
    BatchPlan plan = plan(List.of(message(1, "a", 2), message(2, "a", 0)), List.of(FAIL, FAIL));

    assertThat(plan.deadLetters()).extracting(DeadLetterMove::id).containsExactly(1L);
    assertThat(plan.retries()).isEmpty();
    assertThat(plan.held()).isEqualTo(1);
  }

  @Test
  void dead_letters_a_rejected_message_at_once() {
    BatchPlan plan = plan(List.of(message(1, "a", 0)), List.of(REJECT));

    assertThat(plan.deadLetters())
        .containsExactly(
            new DeadLetterMove(
                1, 1, "rejected by the publisher: java.lang.IllegalArgumentException: too big"));
    assertThat(plan.retries()).isEmpty();
  }

  @Test
  void describes_the_root_cause_of_a_wrapped_failure() {
    String text =
        BatchPlan.describe(new RuntimeException("send failed", new java.io.IOException("reset")));

    assertThat(text)
        .isEqualTo(
            "java.lang.RuntimeException: send failed (caused by java.io.IOException: reset)");
  }
}
