package dev.outpost.relay;

import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.schema.OutpostSchema;
import java.time.Clock;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * Configuration of a {@link Relay}, produced by {@link Relay#builder()}; see {@link Relay.Builder}
 * for each value's meaning and default. Immutable.
 *
 * @param dataSource where the relay takes its connections (it needs up to {@code threads + 2})
 * @param publisher where messages go
 * @param schema schema of Outpost's tables
 * @param partitions logical partition count; must equal the writer's
 * @param batchSize most messages per partition batch
 * @param pollInterval how often an idle partition is polled (the safety net of LISTEN/NOTIFY)
 * @param leaseDuration how long a partition lease lasts without renewal
 * @param heartbeatInterval how often leases are renewed and rebalanced
 * @param backoffBase delay before the first retry
 * @param backoffMax longest delay between retries
 * @param backoffJitter fraction (0..1) of each delay taken off at random
 * @param maxAttempts attempts before a message is dead-lettered
 * @param parkKeyOnDeadLetter whether later messages of a dead-lettered key wait for its replay
 * @param publishTimeout how long a batch's outcome is awaited before it counts as failed
 * @param rateLimitPerSecond most messages per second this relay publishes; 0 for no limit
 * @param threads worker threads processing partitions
 * @param instanceId this relay's identity in the lease table
 * @param clock clock for leases, backoff and dead-letter times
 * @param meterRegistry a Micrometer {@code MeterRegistry}, or null for no metrics
 * @param listen whether to wake up on the writer's {@code NOTIFY}
 * @param shutdownTimeout how long {@link Relay#close()} waits for in-flight batches
 * @param closePublisher whether {@link Relay#close()} also closes the publisher
 */
public record RelayConfig(
    DataSource dataSource,
    Publisher publisher,
    String schema,
    int partitions,
    int batchSize,
    Duration pollInterval,
    Duration leaseDuration,
    Duration heartbeatInterval,
    Duration backoffBase,
    Duration backoffMax,
    double backoffJitter,
    int maxAttempts,
    boolean parkKeyOnDeadLetter,
    Duration publishTimeout,
    int rateLimitPerSecond,
    int threads,
    String instanceId,
    Clock clock,
    Object meterRegistry,
    boolean listen,
    Duration shutdownTimeout,
    boolean closePublisher) {

  /** Default most messages per batch. */
  public static final int DEFAULT_BATCH_SIZE = 500;

  /** Upper bound of the batch size. */
  public static final int MAX_BATCH_SIZE = 10_000;

  /** Default polling interval of an idle partition. */
  public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

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

  /** Default worker threads. */
  public static final int DEFAULT_THREADS = 4;

  /** Default bounded wait of {@link Relay#close()}. */
  public static final Duration DEFAULT_SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

  private static final Duration MIN_LEASE = Duration.ofMillis(100);
  private static final Duration ONE_HOUR = Duration.ofHours(1);

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the field, its value and the allowed range
   */
  public RelayConfig {
    require(dataSource != null, "dataSource must be set: Relay.builder().dataSource(...)");
    require(publisher != null, "publisher must be set: Relay.builder().publisher(...)");
    OutpostSchema.named(schema);
    range("partitions", partitions, 1, OutboxConfig.MAX_PARTITIONS);
    range("batchSize", batchSize, 1, MAX_BATCH_SIZE);
    range("pollInterval", pollInterval, Duration.ofMillis(1), ONE_HOUR);
    range("leaseDuration", leaseDuration, MIN_LEASE, ONE_HOUR);
    range(
        "heartbeatInterval", heartbeatInterval, Duration.ofMillis(10), leaseDuration.dividedBy(2));
    range("backoffBase", backoffBase, Duration.ofMillis(1), Duration.ofDays(1));
    range("backoffMax", backoffMax, backoffBase, Duration.ofDays(7));
    require(
        backoffJitter >= 0 && backoffJitter <= 1,
        "backoffJitter is " + backoffJitter + "; allowed 0.0..1.0");
    range("maxAttempts", maxAttempts, 1, 1000);
    range("publishTimeout", publishTimeout, Duration.ofMillis(1), ONE_HOUR);
    range("rateLimitPerSecond", rateLimitPerSecond, 0, 100_000_000);
    range("threads", threads, 1, 1024);
    require(
        instanceId != null && !instanceId.isBlank() && instanceId.length() <= 200,
        "instanceId is '" + instanceId + "'; use 1..200 non-blank characters");
    require(clock != null, "clock must not be null; use Clock.systemUTC()");
    range("shutdownTimeout", shutdownTimeout, Duration.ZERO, ONE_HOUR);
    if (meterRegistry != null && !isMeterRegistry(meterRegistry)) {
      throw new IllegalArgumentException(
          "meterRegistry is a "
              + meterRegistry.getClass().getName()
              + "; pass an io.micrometer.core.instrument.MeterRegistry (micrometer-core on the"
              + " classpath) or null for no metrics");
    }
  }

  private static boolean isMeterRegistry(Object registry) {
    try {
      Class<?> type =
          Class.forName(
              "io.micrometer.core.instrument.MeterRegistry",
              false,
              registry.getClass().getClassLoader());
      return type.isInstance(registry);
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  private static void range(String field, long value, long min, long max) {
    require(value >= min && value <= max, field + " is " + value + "; allowed " + min + ".." + max);
  }

  private static void range(String field, Duration value, Duration min, Duration max) {
    require(value != null, field + " must not be null");
    require(
        value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
        field + " is " + value + "; allowed " + min + ".." + max);
  }
}
