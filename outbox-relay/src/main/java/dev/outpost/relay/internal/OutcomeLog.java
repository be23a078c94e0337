package dev.outpost.relay.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells operators about messages the relay gave up on or recovered, aggregated per topic and
 * rate-limited: the first event after a quiet period is logged at once, later ones are counted and
 * logged at most once per {@link #PERIOD} (flushed by the next event or the lease heartbeat). WARN
 * for dead letters, INFO for messages published after failed attempts.
 *
 * <p>Thread-safe.
 */
final class OutcomeLog {

  static final Duration PERIOD = Duration.ofMinutes(1);

  private static final Logger log = LoggerFactory.getLogger(OutcomeLog.class);

  private final String instanceId;
  private final Map<String, Counts> deadLettered = new TreeMap<>();
  private final Map<String, Integer> recovered = new TreeMap<>();
  private Instant lastFlush;

  private static final class Counts {
    int messages;
    String lastError;
  }

  OutcomeLog(String instanceId) {
    this.instanceId = instanceId;
  }

  /** {@code messages} of {@code topic} were dead-lettered; {@code lastError} is one reason. */
  void deadLettered(String topic, int messages, String lastError, Instant now) {
    synchronized (this) {
      Counts counts = deadLettered.computeIfAbsent(topic, t -> new Counts());
      counts.messages += messages;
      counts.lastError = lastError;
    }
    flushIfDue(now);
  }

  /** {@code messages} of {@code topic} were confirmed after earlier failed attempts. */
  void recovered(String topic, int messages, Instant now) {
    synchronized (this) {
      recovered.merge(topic, messages, Integer::sum);
    }
    flushIfDue(now);
  }

  /** Logs what was counted if a period passed since the last log line. */
  void flushIfDue(Instant now) {
    Map<String, Counts> dead;
    Map<String, Integer> back;
    synchronized (this) {
      if (deadLettered.isEmpty() && recovered.isEmpty()) {
        return;
      }
      if (lastFlush != null && now.isBefore(lastFlush.plus(PERIOD))) {
        return;
      }
      lastFlush = now;
      dead = new TreeMap<>(deadLettered);
      back = new TreeMap<>(recovered);
      deadLettered.clear();
      recovered.clear();
    }
    for (Map.Entry<String, Counts> e : dead.entrySet()) {
      log.warn(
          "Relay {}: {} message(s) of topic '{}' moved to the dead-letter table (since the last"
              + " report, at most one per minute); last error: {}. Inspect and replay them with"
              + " relay.deadLetters()",
          instanceId,
          e.getValue().messages,
          e.getKey(),
          e.getValue().lastError);
    }
    for (Map.Entry<String, Integer> e : back.entrySet()) {
      log.info(
          "Relay {}: {} message(s) of topic '{}' were published after earlier failed attempts",
          instanceId,
          e.getValue(),
          e.getKey());
    }
  }
}
