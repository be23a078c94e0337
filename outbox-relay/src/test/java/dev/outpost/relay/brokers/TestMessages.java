package dev.outpost.relay.brokers;

import dev.outpost.outbox.MessageIds;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** Relay messages for publisher tests. */
public final class TestMessages {

  /** A W3C trace context header as the outbox captures it. */
  public static final String TRACEPARENT =
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

  private static final AtomicLong ids = new AtomicLong();

  private TestMessages() {}

  /** A message with a traceparent and an application header. */
  public static RelayMessage message(String topic, String key, String payload) {
    return message(topic, key, payload.getBytes(StandardCharsets.UTF_8));
  }

  /** A message with a traceparent and an application header. */
  public static RelayMessage message(String topic, String key, byte[] payload) {
    return new RelayMessage(
        ids.incrementAndGet(),
        MessageIds.next(),
        topic,
        key,
        0,
        payload,
        Map.of("traceparent", TRACEPARENT, "x-origin", "test", "content-type", "text/plain"),
        Instant.parse("2025-01-02T03:04:05.123Z"),
        0);
  }

  /** Waits for a batch's results (bounded, so a hanging publisher fails the test). */
  public static List<PublishResult> await(CompletionStage<List<PublishResult>> stage) {
    try {
      return stage.toCompletableFuture().get(90, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("the batch did not complete: " + e, e);
    }
  }

  /** A UTF-8 string. */
  public static String text(byte[] bytes) {
    return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
  }
}
