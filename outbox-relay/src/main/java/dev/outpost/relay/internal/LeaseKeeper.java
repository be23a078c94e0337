package dev.outpost.relay.internal;

import dev.outpost.relay.RelayConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this relay's share of the partition leases: heartbeat, renewal, acquiring free or expired
 * partitions up to the fair share (see {@link #fairShare}), and asking for surplus partitions to be
 * released (the partition's own task releases it between batches, so a lease is never given up
 * under a running batch). Thread-safe; one {@link #cycle} at a time.
 */
final class LeaseKeeper {

  private static final Logger log = LoggerFactory.getLogger(LeaseKeeper.class);

  /** What one cycle changed. */
  record Cycle(
      List<OwnedPartition> acquired, List<OwnedPartition> lost, List<OwnedPartition> surplus) {}

  private final RelayConfig config;
  private final DataSource dataSource;
  private final LeaseRepository leases;
  private final InstanceRepository instances;
  private final RelayMetrics metrics;
  private final Map<Integer, OwnedPartition> owned = new ConcurrentHashMap<>();

  LeaseKeeper(
      RelayConfig config,
      DataSource dataSource,
      LeaseRepository leases,
      InstanceRepository instances,
      RelayMetrics metrics) {
    this.config = config;
    this.dataSource = dataSource;
    this.leases = leases;
    this.instances = instances;
    this.metrics = metrics;
  }

  synchronized Cycle cycle(Instant now, boolean acquire) throws SQLException {
    String me = config.instanceId();
    Instant until = now.plus(config.leaseDuration());
    List<OwnedPartition> acquired = new ArrayList<>();
    List<OwnedPartition> lost = new ArrayList<>();
    List<OwnedPartition> surplus = new ArrayList<>();
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      instances.heartbeat(c, me, now, until);
      instances.deleteExpired(c, now.minus(config.leaseDuration()));
      int fairShare = fairShare(config.partitions(), instances.live(c, now), me);
      List<OwnedPartition> kept = new ArrayList<>();
      for (OwnedPartition p : owned.values()) {
        if (!p.releaseRequested && !p.stopped) {
          kept.add(p);
        }
      }
      if (!kept.isEmpty()) {
        Set<Integer> renewed = leases.renew(c, me, kept.stream().map(p -> p.lease).toList(), until);
        for (OwnedPartition p : List.copyOf(kept)) {
          if (renewed.contains(p.partition())) {
            p.expiresAt = until;
          } else {
            kept.remove(p);
            // A partition released by its task while this round ran is not lost.
            if (!p.stopped) {
              forget(p);
              lost.add(p);
            }
          }
        }
      }
      if (acquire && kept.size() < fairShare) {
        for (LeaseToken lease : leases.acquire(c, me, now, until, fairShare - kept.size())) {
          OwnedPartition p = new OwnedPartition(lease, until);
          owned.put(lease.partition(), p);
          acquired.add(p);
        }
      } else if (acquire && kept.size() > fairShare) {
        kept.sort(Comparator.comparingInt(OwnedPartition::partition).reversed());
        for (OwnedPartition p : kept.subList(0, kept.size() - fairShare)) {
          p.releaseRequested = true;
          surplus.add(p);
        }
      }
    }
    logChanges(acquired, lost, surplus);
    return new Cycle(acquired, lost, surplus);
  }

  /**
   * This instance's share: {@code partitions / live} each, and one more for the first {@code
   * partitions % live} instances in id order, so the shares add up to exactly the partition count
   * (with a plain ceiling, 5 relays on 16 partitions would leave one idle).
   */
  static int fairShare(int partitions, List<String> live, String me) {
    int rank = live.indexOf(me);
    int count = rank < 0 ? live.size() + 1 : live.size();
    if (rank < 0) {
      rank = count - 1;
    }
    return partitions / count + (rank < partitions % count ? 1 : 0);
  }

  /**
   * Gives {@code p} up. Call only when no batch of {@code p} runs.
   *
   * @return false if the lease was already gone
   */
  boolean release(OwnedPartition p) throws SQLException {
    forget(p);
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      boolean released = leases.release(c, p.lease);
      if (released) {
        metrics.leaseChanges("released", 1);
      }
      return released;
    }
  }

  /** Drops {@code p} without touching the database (lost, or abandoned at shutdown). */
  void forget(OwnedPartition p) {
    p.stopped = true;
    owned.remove(p.partition(), p);
  }

  /** Forgets the instance row so the other relays rebalance at once. */
  void unregister() throws SQLException {
    try (Connection c = dataSource.getConnection()) {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      instances.remove(c, config.instanceId());
    }
  }

  List<OwnedPartition> owned() {
    List<OwnedPartition> list = new ArrayList<>(owned.values());
    list.sort(Comparator.comparingInt(OwnedPartition::partition));
    return list;
  }

  SortedSet<Integer> ownedPartitions() {
    return new TreeSet<>(owned.keySet());
  }

  int ownedCount() {
    return owned.size();
  }

  private void logChanges(
      List<OwnedPartition> acquired, List<OwnedPartition> lost, List<OwnedPartition> surplus) {
    if (!acquired.isEmpty()) {
      metrics.leaseChanges("acquired", acquired.size());
      log.info("Relay {} acquired partitions {}", config.instanceId(), partitions(acquired));
    }
    if (!lost.isEmpty()) {
      metrics.leaseChanges("lost", lost.size());
      log.warn(
          "Relay {} lost partitions {} (taken over after its lease expired)",
          config.instanceId(),
          partitions(lost));
    }
    if (!surplus.isEmpty()) {
      log.info(
          "Relay {} gives up partitions {} to rebalance", config.instanceId(), partitions(surplus));
    }
  }

  private static List<Integer> partitions(List<OwnedPartition> list) {
    return list.stream().map(OwnedPartition::partition).sorted().toList();
  }
}
