package dev.outpost.relay;

import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
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
 */
public record RelayHealth(
    String instanceId,
    State state,
    SortedSet<Integer> ownedPartitions,
    Instant lastSuccessfulPublish,
    long backlog,
    Duration oldestPendingAge,
    boolean listening) {

  /** Copies the partition set. */
  public RelayHealth {
    ownedPartitions = Collections.unmodifiableSortedSet(new TreeSet<>(ownedPartitions));
  }

  /** Lifecycle of a relay. */
  public enum State {
    /** Built, not started. */
    NEW,
    /** Started; threads running. */
    RUNNING,
    /** {@link Relay#close()} in progress. */
    CLOSING,
    /** Closed. */
    CLOSED
  }
}
