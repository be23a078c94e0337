package dev.outpost.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A snapshot of a relay's state, for health endpoints and dashboards. Immutable.
 *
 * @param instanceId the relay's id in the lease table
 * @param state lifecycle state
 * @param ownedPartitions partitions this relay holds a lease on
 * @param lastSuccessfulPublish when a batch last had a confirmed message, or null if never
 * @param backlog messages waiting in the outbox (all partitions), or -1 if the database did not
 *     answer
 * @param oldestPendingAge age of the oldest waiting message, or null when the outbox is empty or
 *     the database did not answer
 * @param listening whether the notification listener is connected (always false with {@code
 *     listen(false)})
 * @param brokerUnavailableSince since when the publisher's destination is unavailable (publishing
 *     paused by the circuit breaker), or null while it is available
 * @param problems what makes the state {@link State#DEGRADED}, one sentence each (broker
 *     unavailable since T, database errors, failing or stalled partitions); empty when healthy
 */
public record RelayHealth(
    String instanceId,
    State state,
    SortedSet<Integer> ownedPartitions,
    Instant lastSuccessfulPublish,
    long backlog,
    Duration oldestPendingAge,
    boolean listening,
    Instant brokerUnavailableSince,
    List<String> problems) {

  /** Copies the partition set and the problems. */
  public RelayHealth {
    ownedPartitions = Collections.unmodifiableSortedSet(new TreeSet<>(ownedPartitions));
    problems = List.copyOf(problems);
  }

  /** Whether the relay runs without problems ({@link State#RUNNING}). */
  public boolean healthy() {
    return state == State.RUNNING;
  }

  /** Lifecycle of a relay. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Started; threads running; no problems. */
    RUNNING,
    /**
     * Started and running, but something keeps it from publishing normally: the destination is
     * unavailable, the database fails, or partitions fail or stall; see {@link
     * RelayHealth#problems()}. The relay keeps trying and returns to {@link #RUNNING} by itself.
     */
    DEGRADED,
    /** {@link Relay#close()} in progress. */
    CLOSING,
    /** Closed. */
    CLOSED
  }
}
