package dev.outpost.relay;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.internal.DefaultRelay;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import javax.sql.DataSource;

/**
 * Publishes committed outbox messages through a {@link Publisher} and deletes each row only after
 * the publisher confirmed it.
 *
 * <pre>{@code
 * try (Relay relay = Relay.builder()
 *     .dataSource(dataSource)
 *     .publisher(publisher)
 *     .build()) {
 *   relay.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Relays of one schema share the work like a consumer group: each leases a fair share of the
 * logical partitions (heartbeat renewal, takeover of a crashed relay's partitions after the lease
 * expires, rebalancing as relays join and leave). Per owned partition one batch at a time: the head
 * window in insertion order is published, confirmed rows are deleted under the lease's fencing
 * token, failed rows are retried with exponential backoff while later messages of the same key wait
 * (other keys go on), and a message that keeps failing moves to the dead-letter table (see {@link
 * #deadLetters()}). When the publisher reports its destination {@linkplain
 * PublishResult.Unavailable unavailable}, a circuit breaker pauses every partition without counting
 * attempts and probes the destination every {@link Builder#probeInterval(Duration)}; all partitions
 * resume as soon as it answers. On PostgreSQL a dedicated connection {@code LISTEN}s for the
 * writer's notifications so a commit is published at once; polling every {@link
 * Builder#pollInterval(Duration)} is the safety net. On MySQL and MariaDB (no notifications) each
 * partition polls adaptively: again after {@link Builder#fastPollInterval(Duration)} when its last
 * poll found work, backing off to {@link Builder#pollInterval(Duration)} while idle; a writer in
 * the same JVM nudges the relay after each send.
 *
 * <p>Thread-safe. {@link Builder#build()} starts no threads; {@link #start()} does; {@link
 * #close()} stops them.
 */
public interface Relay extends AutoCloseable {

  /** Starts a configuration with the defaults of {@link RelayConfig}. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Checks the database (tables present, partition count consistent with the lease table and the
   * outbox rows), registers this instance and starts the lease, worker and listener threads.
   *
   * @throws OutpostException if the schema is missing or does not match the configuration; the
   *     message says what to fix
   * @throws IllegalStateException if the relay was already started or closed
   */
  void start();

  /**
   * Runs one unit of work on the calling thread, for tests and callers with their own scheduler:
   * one lease round (heartbeat, renew, acquire up to the fair share, release surplus), then one
   * batch for every owned partition. Reads the clock once per step, so a mutable clock controls
   * backoff and lease expiry.
   *
   * @return the number of messages confirmed and deleted
   * @throws OutpostException if the database fails or does not match the configuration
   * @throws IllegalStateException if the relay was started (its threads do this work) or closed
   */
  int runOnce();

  /** Makes every owned partition look for new messages now. Never blocks. */
  void wakeUp();

  /**
   * A snapshot of this relay's state; asks the database for the backlog.
   *
   * @return the health view; {@link RelayHealth#backlog()} is -1 if the database did not answer
   */
  RelayHealth health();

  /** Listing, counting, replaying and purging the dead letters of this relay's schema. */
  DeadLetters deadLetters();

  /** The configuration. */
  RelayConfig config();

  /**
   * Stops the relay: no new batches start; in-flight batches get up to {@link
   * RelayConfig#shutdownTimeout()} to finish (their confirmed rows are deleted), then are abandoned
   * (their rows stay and are published again later). Leases of finished partitions are released so
   * other relays take over at once; leases of abandoned ones expire. Idempotent; works without
   * {@link #start()}; restores the interrupt flag.
   */
  @Override
  void close();

  /** Builds a {@link Relay}. Not thread-safe. */
  final class Builder {
    private DataSource dataSource;
    private Publisher publisher;
    private Clock clock = Clock.systemUTC();
    private MeterRegistry meterRegistry;
    private String schema = OutpostTableNames.DEFAULT_SCHEMA;
    private int partitions = OutboxConfig.DEFAULT_PARTITIONS;
    private int batchSize = RelayConfig.DEFAULT_BATCH_SIZE;
    private long maxBatchBytes = RelayConfig.DEFAULT_MAX_BATCH_BYTES;
    private Duration pollInterval = RelayConfig.DEFAULT_POLL_INTERVAL;
    private Duration fastPollInterval;
    private Dialect dialect;
    private Duration leaseDuration = RelayConfig.DEFAULT_LEASE_DURATION;
    private Duration heartbeatInterval;
    private Duration backoffBase = RelayConfig.DEFAULT_BACKOFF_BASE;
    private Duration backoffMax = RelayConfig.DEFAULT_BACKOFF_MAX;
    private double backoffJitter = RelayConfig.DEFAULT_BACKOFF_JITTER;
    private int maxAttempts = RelayConfig.DEFAULT_MAX_ATTEMPTS;
    private boolean parkKeyOnDeadLetter = true;
    private Duration publishTimeout = RelayConfig.DEFAULT_PUBLISH_TIMEOUT;
    private Duration probeInterval = RelayConfig.DEFAULT_PROBE_INTERVAL;
    private int rateLimitPerSecond;
    private int threads = RelayConfig.DEFAULT_THREADS;
    private String instanceId;
    private boolean listen = true;
    private Duration shutdownTimeout = RelayConfig.DEFAULT_SHUTDOWN_TIMEOUT;
    private boolean closePublisher;

    Builder() {}

    /**
     * Where the relay takes its connections (required). Use a pool: the relay holds one connection
     * for listening and borrows one per working thread and one for leases, so size it at least
     * {@code threads + 2}.
     */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** Where messages go (required). */
    public Builder publisher(Publisher publisher) {
      this.publisher = publisher;
      return this;
    }

    /**
     * Clock for leases, backoff, the circuit breaker and dead-letter times. Defaults to {@link
     * Clock#systemUTC()}.
     */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * A Micrometer registry to report to (micrometer-core is an optional dependency: add it to use
     * this), or null. Defaults to null: no metrics.
     */
    public Builder meterRegistry(MeterRegistry meterRegistry) {
      this.meterRegistry = meterRegistry;
      return this;
    }

    /** Schema of Outpost's tables. Defaults to {@code public}. */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /**
     * Logical partitions (1..1024); must equal the writer's ({@link OutboxConfig#partitions()}).
     * Defaults to {@value OutboxConfig#DEFAULT_PARTITIONS}.
     */
    public Builder partitions(int partitions) {
      this.partitions = partitions;
      return this;
    }

    /** Most messages per partition batch (1..10000). Defaults to 500. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Most payload bytes per partition batch (1 KiB..1 GiB), enforced by the claim query so the
     * relay never loads more: bounds the heap a batch takes (per worker thread). A batch always
     * holds at least one message, however large. Defaults to 16 MiB.
     */
    public Builder maxBatchBytes(long maxBatchBytes) {
      this.maxBatchBytes = maxBatchBytes;
      return this;
    }

    /**
     * How often an idle partition looks for messages without a notification (1 ms..1 h): the safety
     * net of LISTEN/NOTIFY on PostgreSQL, and the longest interval of the adaptive polling without
     * it (MySQL/MariaDB, or {@code listen(false)}). Defaults to 1 second.
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
      return this;
    }

    /**
     * When the relay polls (MySQL/MariaDB, or {@code listen(false)}): how soon a partition is
     * polled again after a poll that found work or after a nudge from a writer in this JVM; each
     * empty poll doubles the interval up to {@link #pollInterval(Duration)} (1 ms..pollInterval).
     * Defaults to 10 ms, or {@code pollInterval} when that is shorter.
     */
    public Builder fastPollInterval(Duration fastPollInterval) {
      this.fastPollInterval = fastPollInterval;
      return this;
    }

    /**
     * The database's dialect. By default it is detected from {@link #dataSource(DataSource)} at
     * {@link #build()} (one short-lived connection).
     */
    public Builder dialect(Dialect dialect) {
      this.dialect = dialect;
      return this;
    }

    /**
     * How long a partition lease lasts without renewal (100 ms..1 h): a crashed relay's partitions
     * are taken over this long after its last renewal. Relays' clocks must agree to well within
     * this. Defaults to 10 seconds.
     */
    public Builder leaseDuration(Duration leaseDuration) {
      this.leaseDuration = leaseDuration;
      return this;
    }

    /**
     * How often leases are renewed and partitions rebalanced (10 ms..leaseDuration/2). Defaults to
     * a third of the lease duration.
     */
    public Builder heartbeatInterval(Duration heartbeatInterval) {
      this.heartbeatInterval = heartbeatInterval;
      return this;
    }

    /** Delay before the first retry of a failed message (1 ms..1 day). Defaults to 1 second. */
    public Builder backoffBase(Duration backoffBase) {
      this.backoffBase = backoffBase;
      return this;
    }

    /** Longest delay between retries (backoffBase..7 days). Defaults to 5 minutes. */
    public Builder backoffMax(Duration backoffMax) {
      this.backoffMax = backoffMax;
      return this;
    }

    /**
     * Fraction of each retry delay taken off at random (0..1), so many failing messages do not
     * retry in lockstep. Defaults to 0.2.
     */
    public Builder backoffJitter(double backoffJitter) {
      this.backoffJitter = backoffJitter;
      return this;
    }

    /**
     * Publish attempts before a message moves to the dead-letter table (1..1000); 1 means no retry.
     * Only failures of the message count: while the destination is {@linkplain
     * PublishResult.Unavailable unavailable} the relay pauses and counts nothing. Defaults to 10.
     */
    public Builder maxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Whether later messages of a key wait while the key has a dead letter ("park the key", keeping
     * per-key order until the dead letter is replayed or purged) or go on without it. Defaults to
     * {@code true}.
     */
    public Builder parkKeyOnDeadLetter(boolean parkKeyOnDeadLetter) {
      this.parkKeyOnDeadLetter = parkKeyOnDeadLetter;
      return this;
    }

    /**
     * How long the outcome of a batch is awaited (1 ms..1 h); messages without an outcome by then
     * count as failed and are retried. Also bounds in-process handlers: a message whose handler
     * returns after it is not confirmed. Defaults to 30 seconds.
     */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = publishTimeout;
      return this;
    }

    /**
     * How often the relay asks an unavailable destination whether it answers again (10 ms..10 min),
     * through {@link Publisher#probe(Duration)} or, when the publisher has no cheap probe, by
     * publishing one head message. Once it answers, every partition resumes at once. Defaults to 1
     * second.
     */
    public Builder probeInterval(Duration probeInterval) {
      this.probeInterval = probeInterval;
      return this;
    }

    /**
     * Most messages per second this relay publishes (peak shaving: a burst waits in the outbox and
     * reaches consumers at this pace); 0 for no limit. Defaults to 0.
     */
    public Builder rateLimitPerSecond(int rateLimitPerSecond) {
      this.rateLimitPerSecond = rateLimitPerSecond;
      return this;
    }

    /**
     * Worker threads processing owned partitions, one batch per partition at a time (1..1024).
     * Defaults to 4.
     */
    public Builder threads(int threads) {
      this.threads = threads;
      return this;
    }

    /**
     * This relay's identity in the lease table; must be unique among running relays. Defaults to
     * {@code host-pid-random}.
     */
    public Builder instanceId(String instanceId) {
      this.instanceId = instanceId;
      return this;
    }

    /**
     * Whether a dedicated connection {@code LISTEN}s for the writer's notifications to publish
     * right after commit. Defaults to {@code true}.
     */
    public Builder listen(boolean listen) {
      this.listen = listen;
      return this;
    }

    /** How long {@link Relay#close()} waits for in-flight batches (0..1 h). Defaults to 10 s. */
    public Builder shutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
      return this;
    }

    /** Whether {@link Relay#close()} also closes the publisher. Defaults to {@code false}. */
    public Builder closePublisher(boolean closePublisher) {
      this.closePublisher = closePublisher;
      return this;
    }

    /**
     * The configuration these settings make, validated (without the collaborators).
     *
     * @throws IllegalArgumentException naming the field, its value and the allowed range
     */
    public RelayConfig config() {
      Duration heartbeat = heartbeatInterval;
      if (heartbeat == null && leaseDuration != null) {
        heartbeat = leaseDuration.dividedBy(3);
      }
      return new RelayConfig(
          schema,
          partitions,
          threads,
          instanceId == null ? defaultInstanceId() : instanceId,
          new RelayConfig.BatchLimits(batchSize, maxBatchBytes, rateLimitPerSecond),
          new RelayConfig.RetryPolicy(
              backoffBase, backoffMax, backoffJitter, maxAttempts, parkKeyOnDeadLetter),
          new RelayConfig.LeaseConfig(leaseDuration, heartbeat),
          new RelayConfig.CircuitBreakerConfig(probeInterval),
          new RelayConfig.Polling(fastPoll(), pollInterval),
          publishTimeout,
          listen,
          shutdownTimeout,
          closePublisher);
    }

    /**
     * The relay, not started.
     *
     * @throws IllegalArgumentException naming the field, its value and the allowed range, or the
     *     missing collaborator
     * @throws dev.outpost.common.UnsupportedDatabaseException if no dialect is set and the database
     *     is not one Outpost supports
     * @throws OutpostException if no dialect is set and no connection can be opened to detect it
     */
    public Relay build() {
      if (dataSource == null) {
        throw new IllegalArgumentException(
            "dataSource must be set: Relay.builder().dataSource(...)");
      }
      if (publisher == null) {
        throw new IllegalArgumentException("publisher must be set: Relay.builder().publisher(...)");
      }
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null; use Clock.systemUTC()");
      }
      RelayConfig config = config();
      Dialect chosen = dialect != null ? dialect : Dialect.detect(dataSource);
      return new DefaultRelay(config, chosen, dataSource, publisher, clock, meterRegistry);
    }

    private Duration fastPoll() {
      if (fastPollInterval != null || pollInterval == null) {
        return fastPollInterval;
      }
      Duration fast = RelayConfig.DEFAULT_FAST_POLL_INTERVAL;
      return pollInterval.compareTo(fast) < 0 ? pollInterval : fast;
    }

    private static String defaultInstanceId() {
      String host;
      try {
        host = InetAddress.getLocalHost().getHostName();
      } catch (Exception e) {
        host = "unknown-host";
      }
      return host
          + '-'
          + ProcessHandle.current().pid()
          + '-'
          + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff));
    }
  }
}
