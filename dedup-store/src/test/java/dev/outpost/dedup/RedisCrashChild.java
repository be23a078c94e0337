package dev.outpost.dedup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.UUID;

/**
 * Child JVM: claims a message through {@link RedisDedup} and halts in the middle of the work, as a
 * crash would. Args: Redis URL, key prefix, message id, lease in ms, effects file.
 */
final class RedisCrashChild {

  private RedisCrashChild() {}

  public static void main(String[] args) {
    UUID id = UUID.fromString(args[2]);
    Path effects = Path.of(args[4]);
    RedisDedup dedup =
        RedisDedup.builder()
            .uri(args[0])
            .keyPrefix(args[1])
            .lease(Duration.ofMillis(Long.parseLong(args[3])))
            .build();
    dedup.processOnce(
        "sms",
        id,
        () -> {
          try {
            Files.writeString(
                effects, "started " + id + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
          } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
          }
          Runtime.getRuntime().halt(ChildJvm.CRASH_EXIT_CODE);
        });
    System.exit(1);
  }
}
