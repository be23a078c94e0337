package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.relay.internal.CircuitBreaker.Permit;
import dev.outpost.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CircuitBreakerTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final CircuitBreaker breaker =
      new CircuitBreaker(Duration.ofSeconds(1), Duration.ofSeconds(5));

  @Test
  void closed_lets_everyone_publish() {
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PUBLISH);
    assertThat(breaker.isOpen()).isFalse();
    assertThat(breaker.untilNextProbe(clock.instant())).isZero();
  }

  @Test
  void opens_once_and_lets_one_caller_probe_per_interval() {
    assertThat(breaker.unavailable(clock.instant(), new IOException("refused"))).isTrue();
    assertThat(breaker.unavailable(clock.instant(), new IOException("refused again"))).isFalse();

    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.WAIT);
    assertThat(breaker.untilNextProbe(clock.instant())).isEqualTo(Duration.ofSeconds(1));
    clock.advance(Duration.ofMillis(999));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.WAIT);
    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);
    assertThat(breaker.permit(clock.instant())).as("one probe at a time").isEqualTo(Permit.WAIT);

    breaker.unavailable(clock.instant(), new IOException("still refused"));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.WAIT);
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);
    assertThat(breaker.snapshot().probes()).isEqualTo(2);
    assertThat(breaker.snapshot().cause()).hasMessage("still refused");
  }

  @Test
  void closes_on_an_answer_and_says_how_long_it_was_open() {
    Instant opened = clock.instant();
    breaker.unavailable(opened, new IOException("refused"));
    clock.advance(Duration.ofSeconds(42));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);

    assertThat(breaker.available(clock.instant())).isEqualTo(Duration.ofSeconds(42));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PUBLISH);
    assertThat(breaker.snapshot().open()).isFalse();
    assertThat(breaker.available(clock.instant())).as("already closed").isNull();
  }

  @Test
  void an_inconclusive_probe_lets_the_next_caller_probe_at_once() {
    breaker.unavailable(clock.instant(), new IOException("refused"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);
    breaker.probeInconclusive();
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);
  }

  @Test
  void a_probe_that_never_reports_blocks_others_only_for_a_bounded_time() {
    breaker.unavailable(clock.instant(), new IOException("refused"));
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);
    clock.advance(Duration.ofSeconds(11));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.WAIT);
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.permit(clock.instant())).isEqualTo(Permit.PROBE);
  }
}
