package dev.outpost.relay;

import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.schema.OutpostSchema;
import java.time.Duration;

/**
 * Configuration of a {@link Relay}, produced by {@link Relay#builder()}; see {@link Relay.Builder}
 * for each value's meaning and default. Immutable. The collaborators (data source, publisher,
 * clock, meter registry) are {@link Relay.Builder} parameters, not part of the configuration.
 *
 * @param schema schema of Outpost's tables
 * @param partitions logical partition count; must equal the writer's
 * @param threads worker threads processing partitions
 * @param instanceId this relay's identity in the lease table
 * @param batch how much one partition batch may hold, and the publishing pace
 * @param retry retries, backoff and dead-lettering of messages that failed
 * @param lease partition leases
 * @param breaker pausing while the publisher's destination is unavailable
 * @param polling how often partitions are polled without a notification
 * @param publishTimeout how long a batch's outcome is awaited before it counts as failed
 * @param listen whether to wake up on the writer's {@code NOTIFY}
 * @param shutdownTimeout how long {@link Relay#close()} waits for in-flight batches
 * @param closePublisher whether {@link Relay#close()} also closes the publisher
 */
public record RelayConfig(
    String schema,
    int partitions,
    int threads,
    String instanceId,
    BatchLimits batch,
    RetryPolicy retry,
    LeaseConfig lease,
    CircuitBreakerConfig breaker,
    Polling polling,
    Duration publishTimeout,
    boolean listen,
    Duration shutdownTimeout,
    boolean closePublisher) {

  /** Default most messages per batch. */
  public static final int DEFAULT_BATCH_SIZE = 500;

  /** Upper bound of the batch size. */
  public static final int MAX_BATCH_SIZE = 10_000;

  /** Default most payload bytes per batch: 16 MiB. */
  public static final long DEFAULT_MAX_BATCH_BYTES = 16L * 1024 * 1024;

  /** Default polling interval of an idle partition. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

  /** Default polling interval right after a poll found work or a nudge (polling relays). */
  public static final Duration DEFAULT_FAST_POLL_INTERVAL = Duration.ofMillis(10);

  /** Default lease duration. */
  public static final Duration DEFAULT_LEASE_DURATION = Duration.ofSeconds(10);

  /** Default delay before the first retry. */
  public static final Duration DEFAULT_BACKOFF_BASE = Duration.ofSeconds(1);

  /** Default longest delay between retries. */
  public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofMinutes(5);

  /** Default jitter fraction. */
  public static final double DEFAULT_BACKOFF_JITTER = 0.2;

  /** Default attempts before dead-lettering. */
  public static final int DEFAULT_MAX_ATTEMPTS = 10;

  /** Default publish timeout. */
  public static final Duration DEFAULT_PUBLISH_TIMEOUT = Duration.ofSeconds(30);

  /** Default interval between probes of an unavailable destination. */
  public static final Duration DEFAULT_PROBE_INTERVAL = Duration.ofSeconds(1);

  /** Default worker threads. */
  public static final int DEFAULT_THREADS = 4;

  /** Default bounded wait of {@link Relay#close()}. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration ONE_HOUR = Duration.ofHours(1);

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the field, its value and the allowed range
   */
  public RelayConfig {
    OutpostSchema.named(schema);
    range("partitions", partitions, 1, OutboxConfig.MAX_PARTITIONS);
    range("threads", threads, 1, 1024);
    require(
        instanceId != null && !instanceId.isBlank() && instanceId.length() <= 200,
        "instanceId is '" + instanceId + "'; use 1..200 non-blank characters");
    require(batch != null, "batch must not be null");
    require(retry != null, "retry must not be null");
    require(lease != null, "lease must not be null");
    require(breaker != null, "breaker must not be null");
    require(polling != null, "polling must not be null");
    range("publishTimeout", publishTimeout, Duration.ofMillis(1), ONE_HOUR);
    range("shutdownTimeout", shutdownTimeout, Duration.ZERO, ONE_HOUR);
  }

  /**
   * How often partitions are polled. On PostgreSQL with {@code LISTEN}, an idle partition is polled
   * every {@code pollInterval} (the safety net of notifications). A relay without notifications
   * (MySQL/MariaDB, or {@code listen(false)}) polls adaptively: {@code fastPollInterval} after a
   * poll that found work or after a nudge from a writer in the same JVM, doubling on each empty
   * poll up to {@code pollInterval}.
   *
   * @param fastPollInterval the shortest interval (1 ms..pollInterval)
   * @param pollInterval the idle interval (1 ms..1 h)
   */
  public record Polling(Duration fastPollInterval, Duration pollInterval) {
    /** Validates the values. */
    public Polling {
      range("pollInterval", pollInterval, Duration.ofMillis(1), ONE_HOUR);
      range("fastPollInterval", fastPollInterval, Duration.ofMillis(1), pollInterval);
    }
  }

  /** How often an idle partition is polled; {@link Polling#pollInterval()}. */
  public Duration pollInterval() {
    return polling.pollInterval();
  }

  /**
   * How much one partition batch may hold, and the publishing pace.
   *
   * @param batchSize most messages per batch (1..10000)
   * @param maxBatchBytes most payload bytes per batch (1 KiB..1 GiB); a batch always holds at least
   *     one message, however large
   * @param rateLimitPerSecond most messages per second the relay publishes; 0 for no limit
   */
  public record BatchLimits(int batchSize, long maxBatchBytes, int rateLimitPerSecond) {
    /** Validates the values. */
    public BatchLimits {
      range("batchSize", batchSize, 1, MAX_BATCH_SIZE);
      range("maxBatchBytes", maxBatchBytes, 1024, 1L << 30);
      range("rateLimitPerSecond", rateLimitPerSecond, 0, 100_000_000);
    }
  }

  /**
   * Retries of messages that failed (not of an unavailable destination: that pauses the relay
   * without counting attempts).
   *
   * @param backoffBase delay before the first retry
   * @param backoffMax longest delay between retries
   * @param backoffJitter fraction (0..1) of each delay taken off at random
   * @param maxAttempts attempts before a message is dead-lettered
   * @param parkKeyOnDeadLetter whether later messages of a dead-lettered key wait for its replay
   */
  public record RetryPolicy(
      Duration backoffBase,
      Duration backoffMax,
      double backoffJitter,
      int maxAttempts,
      boolean parkKeyOnDeadLetter) {
    /** Validates the values. */
    public RetryPolicy {
      range("backoffBase", backoffBase, Duration.ofMillis(1), Duration.ofDays(1));
      range("backoffMax", backoffMax, backoffBase, Duration.ofDays(7));
      require(
          backoffJitter >= 0 && backoffJitter <= 1,
          "backoffJitter is " + backoffJitter + "; allowed 0.0..1.0");
      range("maxAttempts", maxAttempts, 1, 1000);
    }
  }

  /**
   * Partition leases.
   *
   * @param leaseDuration how long a partition lease lasts without renewal
   * @param heartbeatInterval how often leases are renewed and rebalanced
   */
  public record LeaseConfig(Duration leaseDuration, Duration heartbeatInterval) {
    /** Validates the values. */
    public LeaseConfig {
      range("leaseDuration", leaseDuration, Duration.ofMillis(100), ONE_HOUR);
      range(
          "heartbeatInterval",
          heartbeatInterval,
          Duration.ofMillis(10),
          leaseDuration.dividedBy(2));
    }
  }

  /**
   * The circuit breaker that pauses publishing while the destination is unavailable.
   *
   * @param probeInterval how often a paused relay asks the destination whether it answers again
   */
  public record CircuitBreakerConfig(Duration probeInterval) {
    /** Validates the values. */
    public CircuitBreakerConfig {
      range("probeInterval", probeInterval, Duration.ofMillis(10), Duration.ofMinutes(10));
    }
  }

  /** Most messages per partition batch; {@link BatchLimits#batchSize()}. */
  public int batchSize() {
    return batch.batchSize();
  }

  /** Attempts before a message is dead-lettered; {@link RetryPolicy#maxAttempts()}. */
  public int maxAttempts() {
    return retry.maxAttempts();
  }

  /** How long a partition lease lasts; {@link LeaseConfig#leaseDuration()}. */
  public Duration leaseDuration() {
    return lease.leaseDuration();
  }

  /** How often leases are renewed; {@link LeaseConfig#heartbeatInterval()}. */
  public Duration heartbeatInterval() {
    return lease.heartbeatInterval();
  }

  static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  static void range(String field, long value, long min, long max) {
    require(value >= min && value <= max, field + " is " + value + "; allowed " + min + ".." + max);
  }

  static void range(String field, Duration value, Duration min, Duration max) {
    require(value != null, field + " must not be null");
    require(
        value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
        field + " is " + value + "; allowed " + min + ".." + max);
  }
}
