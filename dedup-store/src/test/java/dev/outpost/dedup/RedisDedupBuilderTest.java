package dev.outpost.dedup;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.dedup.internal.RedisConnector;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Configuration validation; no Redis needed (build() opens no connection). */
class RedisDedupBuilderTest {

  private static final String URI = "redis://127.0.0.1:6379";

  @Test
  void builds_with_the_documented_defaults() {
    try (RedisDedup dedup = RedisDedup.builder().uri(URI).build()) {
      assertThat(dedup.config())
          .isEqualTo(
              new RedisDedupConfig(
                  Duration.ofSeconds(30),
                  Duration.ofDays(7),
                  "outpost:dedup:",
                  Duration.ofSeconds(2),
                  Duration.ofSeconds(2)));
    }
  }

  @Test
  void needs_exactly_one_of_uri_and_connection() {
    assertThatThrownBy(() -> RedisDedup.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("set exactly one of uri and connection; none is set");
  }

  @Test
  void rejects_out_of_range_durations_naming_the_field_and_range() {
    assertThatThrownBy(() -> RedisDedup.builder().uri(URI).lease(Duration.ZERO).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("lease is PT0S; allowed PT0.01S..PT24H (inclusive)");
    assertThatThrownBy(() -> RedisDedup.builder().uri(URI).retention(null).build())
        .hasMessage("retention is null; allowed PT1S..PT87600H (inclusive)");
    assertThatThrownBy(
            () ->
                RedisDedup.builder()
                    .uri(URI)
                    .lease(Duration.ofHours(2))
                    .retention(Duration.ofHours(1))
                    .build())
        .hasMessage("lease PT2H is longer than retention PT1H; it must not be");
    assertThatThrownBy(
            () -> RedisDedup.builder().uri(URI).commandTimeout(Duration.ofMinutes(11)).build())
        .hasMessageStartingWith("commandTimeout is PT11M; allowed ");
    assertThatThrownBy(
            () -> RedisDedup.builder().uri(URI).connectTimeout(Duration.ofMillis(-1)).build())
        .hasMessageStartingWith("connectTimeout is PT-0.001S; allowed ");
  }

  @Test
  void rejects_a_missing_or_too_long_key_prefix_and_a_null_clock() {
    assertThatThrownBy(() -> RedisDedup.builder().uri(URI).keyPrefix(null).build())
        .hasMessage("keyPrefix is null; pass 0 to 200 characters");
    assertThatThrownBy(() -> RedisDedup.builder().uri(URI).keyPrefix("k".repeat(201)).build())
        .hasMessage("keyPrefix is 201 characters long; pass 0 to 200 characters");
    assertThatThrownBy(() -> RedisDedup.builder().uri(URI).clock(null).build())
        .hasMessage("clock must not be null");
  }

  @Test
  void rejects_a_bad_uri_without_printing_its_password() {
    assertThatThrownBy(() -> RedisDedup.builder().uri("redis://:s3cret@").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("redis://:***@")
        .hasMessageNotContaining("s3cret");
  }

  @Test
  void redacts_passwords_in_urls() {
    assertThat(RedisConnector.redact("redis://user:pw@host:6379/1"))
        .isEqualTo("redis://user:***@host:6379/1");
    assertThat(RedisConnector.redact("rediss://:pw@host:6379"))
        .isEqualTo("rediss://:***@host:6379");
    assertThat(RedisConnector.redact("redis://pw@host")).isEqualTo("redis://***@host");
    assertThat(RedisConnector.redact("redis://host:6379?password=pw&timeout=1s"))
        .isEqualTo("redis://host:6379?password=***&timeout=1s");
    assertThat(RedisConnector.redact("redis://host:6379")).isEqualTo("redis://host:6379");
  }
}
