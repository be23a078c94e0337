package dev.outpost.delay;

import dev.outpost.common.internal.Check;
import dev.outpost.outbox.OutboxConfig;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;

/**
 * Configuration of a {@link DelayScheduler}, produced by {@link DelayScheduler.Builder}. Immutable
 * and thread-safe.
 *
 * @param outbox the outbox the scheduler enqueues into: schema, partition count and message limits
 *     (must equal the {@code Outbox} writer's and the relay's)
 * @param sweepInterval how often the Quartz sweep job runs, and how often each node's wake-up timer
 *     reads the next due time
 * @param batchSize most rows one move statement takes
 * @param duplicateCancelKey what scheduling an already pending cancel key does
 * @param maxDelay furthest a due time may lie ahead of now
 * @param clock clock for due times, sweeps and lateness
 * @param quartzSchedulerName name (= cluster name) of the Quartz scheduler the delay scheduler
 *     creates; unused when it attaches to an application's scheduler
 * @param quartzThreadCount worker threads of the Quartz scheduler it creates
 * @param quartzProperties extra Quartz properties for the scheduler it creates; they override
 *     Outpost's
 */
public record DelaySchedulerConfig(
    OutboxConfig outbox,
    Duration sweepInterval,
    int batchSize,
    DuplicateCancelKey duplicateCancelKey,
    Duration maxDelay,
    Clock clock,
    String quartzSchedulerName,
    int quartzThreadCount,
    Map<String, String> quartzProperties) {

  /** Default sweep interval: 250 ms, so a due message is in the outbox well within 1 second. */
  public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMillis(250);

  /** Shortest sweep interval. */
  public static final Duration MIN_SWEEP_INTERVAL = Duration.ofMillis(10);

  /** Longest sweep interval. */
  public static final Duration MAX_SWEEP_INTERVAL = Duration.ofHours(1);

  /** Default rows per move statement. */
  public static final int DEFAULT_BATCH_SIZE = 5_000;

  /** Largest rows per move statement. */
  public static final int MAX_BATCH_SIZE = 100_000;

  /** Default policy for an already pending cancel key. */
  public static final DuplicateCancelKey DEFAULT_DUPLICATE_CANCEL_KEY = DuplicateCancelKey.REPLACE;

  /** Default furthest due time: 365 days ahead. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofDays(365);

  /** Largest allowed {@code maxDelay}: 100 years. */
  public static final Duration MAX_MAX_DELAY = Duration.ofDays(36_500);

  /** Default Quartz worker threads: one for the sweep, one for the application's own jobs. */
  public static final int DEFAULT_QUARTZ_THREAD_COUNT = 2;

  /** Most Quartz worker threads. */
  public static final int MAX_QUARTZ_THREAD_COUNT = 100;

  /** Default Quartz scheduler name is this prefix plus the schema, e.g. {@code outpost-public}. */
  public static final String DEFAULT_QUARTZ_SCHEDULER_NAME_PREFIX = "outpost-";

  /** Longest Quartz scheduler name: the width of Quartz's {@code sched_name} column. */
  public static final int MAX_QUARTZ_SCHEDULER_NAME_LENGTH = 120;

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the field, its value and the allowed range
   */
  public DelaySchedulerConfig {
    if (outbox == null) {
      throw new IllegalArgumentException("outbox config must not be null");
    }
    Check.range("sweepInterval", sweepInterval, MIN_SWEEP_INTERVAL, MAX_SWEEP_INTERVAL);
    Check.range("batchSize", batchSize, 1, MAX_BATCH_SIZE);
    if (duplicateCancelKey == null) {
      throw new IllegalArgumentException(
          "duplicateCancelKey must not be null; use REPLACE or KEEP_EXISTING");
    }
    Check.range("maxDelay", maxDelay, Duration.ofSeconds(1), MAX_MAX_DELAY);
    if (clock == null) {
      throw new IllegalArgumentException("clock must not be null; use Clock.systemUTC()");
    }
    if (quartzSchedulerName == null
        || quartzSchedulerName.isBlank()
        || quartzSchedulerName.length() > MAX_QUARTZ_SCHEDULER_NAME_LENGTH) {
      throw new IllegalArgumentException(
          "quartzSchedulerName is '"
              + quartzSchedulerName
              + "'; it must be 1.."
              + MAX_QUARTZ_SCHEDULER_NAME_LENGTH
              + " characters and not blank");
    }
    Check.range("quartzThreadCount", quartzThreadCount, 1, MAX_QUARTZ_THREAD_COUNT);
    if (quartzProperties == null) {
      throw new IllegalArgumentException("quartzProperties must not be null; use Map.of()");
    }
    quartzProperties = Map.copyOf(quartzProperties);
  }

  /** The schema of Outpost's tables (and of Quartz's {@code qrtz_*} tables). */
  public String schema() {
    return outbox.schema();
  }

  /** The default Quartz scheduler name for {@code schema}. */
  public static String defaultQuartzSchedulerName(String schema) {
    return DEFAULT_QUARTZ_SCHEDULER_NAME_PREFIX + schema;
  }
}
