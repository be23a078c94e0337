package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TestRedisTest {

  @Test
  void uses_the_url_from_the_environment_first() {
    TestRedis redis = TestRedis.pick(Map.of(TestRedis.ENV_URL, " redis://:pw@redis.test:6380/2 "));

    assertThat(redis.url()).isEqualTo("redis://:pw@redis.test:6380/2");
    assertThat(redis.redactedUrl()).isEqualTo("redis://:***@redis.test:6380/2");
    assertThat(redis.source()).contains(TestRedis.ENV_URL);
  }

  @Test
  void names_all_three_ways_when_no_redis_answers() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0)) {
      closedPort = probe.getLocalPort();
    }
    int port = closedPort;

    assertThatThrownBy(() -> TestRedis.pick(Map.of(TestRedis.ENV_USE_DOCKER, "false"), port))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(TestRedis.ENV_URL)
        .hasMessageContaining("Testcontainers")
        .hasMessageContaining("redis://127.0.0.1:" + port);
  }

  @Test
  void the_shared_redis_answers_and_key_prefixes_are_unique() {
    TestRedis redis = TestRedis.shared();

    assertThat(redis.url()).startsWith("redis");
    assertThat(TestRedis.uniqueKeyPrefix()).isNotEqualTo(TestRedis.uniqueKeyPrefix());
  }

  @Test
  void redacts_user_and_password() {
    assertThat(TestRedis.redact("redis://app:s3cret@h:1")).isEqualTo("redis://app:***@h:1");
    assertThat(TestRedis.redact("redis://s3cret@h:1")).isEqualTo("redis://***@h:1");
    assertThat(TestRedis.redact("redis://h:1")).isEqualTo("redis://h:1");
  }
}
