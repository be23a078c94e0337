package dev.outpost.spring.boot.actuate;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.delay.PendingDelayed;
import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayHealth;
import dev.outpost.spring.boot.OutpostLifecycle;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;

/**
 * Health of Outpost's running parts on this node: the relay, the delay scheduler's sweep and the
 * consumers. The overall status is the worst of the parts: {@code DOWN} (not running, database not
 * answering), {@link #DEGRADED} (running but behind or partly impaired) or {@code UP}; each part's
 * status and reason are in the details.
 *
 * <p>Boot's aggregate health ignores statuses missing from {@code
 * management.endpoint.health.status.order}; add {@code DEGRADED} there (see the starter's README)
 * to let it count.
 */
public final class OutpostHealthIndicator implements HealthIndicator {

  /** Running, but behind or partly impaired; the details say why. */
  public static final Status DEGRADED =
      new Status("DEGRADED", "running, but behind or partly impaired");

  /**
   * The health of one part.
   *
   * @param status its status
   * @param reason why, for anything but UP; null when UP
   * @param details numbers behind it
   */
  public record Check(Status status, String reason, Map<String, Object> details) {}

  private final Relay relay;
  private final boolean expectListener;
  private final DelayScheduler delayScheduler;
  private final OutpostLifecycle lifecycle;
  private final Duration maxBacklogAge;
  private final Duration maxSweepLateness;
  private final Clock clock;

  /**
   * Reports on {@code relay} and {@code delayScheduler} (either may be null when this node runs
   * none) and the consumers of {@code lifecycle}.
   *
   * @param expectListener whether the relay holds a notification listener (it listens and the
   *     database is PostgreSQL; MySQL/MariaDB have none), so a disconnected one is DEGRADED
   */
  public OutpostHealthIndicator(
      Relay relay,
      boolean expectListener,
      DelayScheduler delayScheduler,
      OutpostLifecycle lifecycle,
      Duration maxBacklogAge,
      Duration maxSweepLateness,
      Clock clock) {
    this.relay = relay;
    this.expectListener = expectListener;
    this.delayScheduler = delayScheduler;
    this.lifecycle = lifecycle;
    this.maxBacklogAge = maxBacklogAge;
    this.maxSweepLateness = maxSweepLateness;
    this.clock = clock;
  }

  @Override
  public Health health() {
    Map<String, Check> checks = new LinkedHashMap<>();
    if (relay != null) {
      checks.put("relay", relay(relay.health(), expectListener, maxBacklogAge));
    }
    if (delayScheduler != null
        && lifecycle.components().containsKey(OutpostLifecycle.DELAY_SCHEDULER)) {
      checks.put("delayScheduler", delayScheduler());
    }
    lifecycle.components().keySet().stream()
        .filter(name -> name.startsWith("consumer:"))
        .sorted()
        .forEach(
            name ->
                checks.put(
                    name,
                    lifecycle.isRunning(name)
                        ? new Check(Status.UP, null, Map.of())
                        : new Check(Status.DOWN, "not running", Map.of())));
    Status overall = Status.UP;
    Health.Builder health = new Health.Builder();
    for (Map.Entry<String, Check> check : checks.entrySet()) {
      overall = worse(overall, check.getValue().status());
      Map<String, Object> detail = new LinkedHashMap<>();
      detail.put("status", check.getValue().status().getCode());
      if (check.getValue().reason() != null) {
        detail.put("reason", check.getValue().reason());
      }
      detail.putAll(check.getValue().details());
      health.withDetail(check.getKey(), detail);
    }
    return health.status(overall).build();
  }

  /**
   * Maps a relay's own health view to a status: the one place that knows what {@link RelayHealth}
   * says.
   *
   * @param listen whether the relay holds a notification listener (configured to listen, on
   *     PostgreSQL)
   * @param maxBacklogAge an oldest waiting message older than this is DEGRADED
   */
  public static Check relay(RelayHealth health, boolean listen, Duration maxBacklogAge) {
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("state", health.state().name());
    details.put("instanceId", health.instanceId());
    details.put("ownedPartitions", List.copyOf(health.ownedPartitions()));
    details.put("backlog", health.backlog());
    if (health.oldestPendingAge() != null) {
      details.put("oldestPendingAge", health.oldestPendingAge().toString());
    }
    if (health.lastSuccessfulPublish() != null) {
      details.put("lastSuccessfulPublish", health.lastSuccessfulPublish().toString());
    }
    details.put("listening", health.listening());
    if (health.brokerUnavailableSince() != null) {
      details.put("brokerUnavailableSince", health.brokerUnavailableSince().toString());
    }
    if (!health.problems().isEmpty()) {
      details.put("problems", List.copyOf(health.problems()));
    }
    if (health.state() == RelayHealth.State.DEGRADED) {
      return new Check(
          DEGRADED, "relay is degraded: " + String.join("; ", health.problems()), details);
    }
    if (health.state() != RelayHealth.State.RUNNING) {
      return new Check(Status.DOWN, "relay is " + health.state(), details);
    }
    if (health.backlog() < 0) {
      return new Check(Status.DOWN, "the database did not answer", details);
    }
    if (health.oldestPendingAge() != null
        && health.oldestPendingAge().compareTo(maxBacklogAge) > 0) {
      return new Check(
          DEGRADED,
          "oldest waiting message is "
              + health.oldestPendingAge()
              + " old (more than "
              + maxBacklogAge
              + "): the broker refuses messages or the relay cannot keep up",
          details);
    }
    if (listen && !health.listening()) {
      return new Check(
          DEGRADED,
          "the notification listener is disconnected: messages are published at the next poll",
          details);
    }
    return new Check(Status.UP, null, details);
  }

  private Check delayScheduler() {
    if (!lifecycle.isRunning(OutpostLifecycle.DELAY_SCHEDULER)) {
      return new Check(Status.DOWN, "sweep not running", Map.of());
    }
    PendingDelayed pending;
    try {
      pending = delayScheduler.pending();
    } catch (RuntimeException e) {
      return new Check(Status.DOWN, "the database did not answer: " + e.getMessage(), Map.of());
    }
    Map<String, Object> details = new LinkedHashMap<>();
    details.put("pending", pending.count());
    if (pending.nextDueAt() != null) {
      details.put("nextDueAt", pending.nextDueAt().toString());
      Duration overdue = Duration.between(pending.nextDueAt(), Instant.now(clock));
      if (overdue.compareTo(maxSweepLateness) > 0) {
        return new Check(
            DEGRADED,
            "a delayed message is overdue by " + overdue + " (more than " + maxSweepLateness + ")",
            details);
      }
    }
    return new Check(Status.UP, null, details);
  }

  private static Status worse(Status a, Status b) {
    return rank(b) > rank(a) ? b : a;
  }

  private static int rank(Status status) {
    if (Status.DOWN.equals(status)) {
      return 2;
    }
    return DEGRADED.equals(status) ? 1 : 0;
  }
}
