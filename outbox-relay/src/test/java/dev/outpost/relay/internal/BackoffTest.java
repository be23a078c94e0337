package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void doubles_from_the_base_without_jitter() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0, new Random(1));

    assertThat(backoff.delayAfter(1)).isEqualTo(Duration.ofSeconds(1));
    assertThat(backoff.delayAfter(2)).isEqualTo(Duration.ofSeconds(2));
    assertThat(backoff.delayAfter(3)).isEqualTo(Duration.ofSeconds(4));
    assertThat(backoff.delayAfter(9)).isEqualTo(Duration.ofSeconds(256));
  }

  @Test
  void never_exceeds_the_maximum_even_for_huge_attempt_counts() {
    Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), 0, new Random(1));

    assertThat(backoff.delayAfter(10)).isEqualTo(Duration.ofMinutes(5));
    assertThat(backoff.delayAfter(Integer.MAX_VALUE)).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void takes_off_the_jitter_fraction_drawn_from_the_random_source() {
    Random random = new Random(42);
    double r = new Random(42).nextDouble();
    Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), 0.5, random);

    Duration delay = backoff.delayAfter(1);

    assertThat(delay.toNanos()).isEqualTo((long) (10e9 * (1 - 0.5 * r)));
    assertThat(delay).isBetween(Duration.ofSeconds(5), Duration.ofSeconds(10));
  }

  @Test
  void jittered_delays_stay_between_half_and_full_delay_with_jitter_one_half() {
    Backoff backoff =
        new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), 0.5, new Random(7));

    for (int attempt = 1; attempt < 20; attempt++) {
      Duration full = Duration.ofMillis(Math.min(1000, 100L << Math.min(attempt - 1, 20)));
      assertThat(backoff.delayAfter(attempt)).isBetween(full.dividedBy(2), full);
    }
  }
}
