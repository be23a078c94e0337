package dev.outpost.relay;

import dev.outpost.common.OutpostTableNames;
import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.OutpostException;
import dev.outpost.relay.internal.DefaultRelay;
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
 * #deadLetters()}). A dedicated connection {@code LISTEN}s for the writer's notifications so a
 * commit is published at once; polling every {@link Builder#pollInterval(Duration)} is the safety
 * net.
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
    private String schema = OutpostTableNames.DEFAULT_SCHEMA;
    private int partitions = OutboxConfig.DEFAULT_PARTITIONS;
    private int batchSize = RelayConfig.DEFAULT_BATCH_SIZE;
    private Duration pollInterval = RelayConfig.DEFAULT_POLL_INTERVAL;
    private Duration leaseDuration = RelayConfig.DEFAULT_LEASE_DURATION;
    private Duration heartbeatInterval;
    private Duration backoffBase = RelayConfig.DEFAULT_BACKOFF_BASE;
    private Duration backoffMax = RelayConfig.DEFAULT_BACKOFF_MAX;
    private double backoffJitter = RelayConfig.DEFAULT_BACKOFF_JITTER;
    private int maxAttempts = RelayConfig.DEFAULT_MAX_ATTEMPTS;
    private boolean parkKeyOnDeadLetter = true;
    private Duration publishTimeout = RelayConfig.DEFAULT_PUBLISH_TIMEOUT;
    private int rateLimitPerSecond;
    private int threads = RelayConfig.DEFAULT_THREADS;
    private String instanceId;
    private Clock clock = Clock.systemUTC();
    private Object meterRegistry;
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
     * How often an idle partition looks for messages without a notification (1 ms..1 h). Defaults
     * to 1 second.
     */
    public Builder pollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
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
     * Defaults to 10.
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
     * count as failed and are retried. Defaults to 30 seconds.
     */
    public Builder publishTimeout(Duration publishTimeout) {
      this.publishTimeout = publishTimeout;
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

    /** Clock for leases, backoff and dead-letter times. Defaults to {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * A Micrometer {@code io.micrometer.core.instrument.MeterRegistry} to report to (typed as
     * Object so Micrometer stays an optional dependency), or null. Defaults to null: no metrics.
     */
    public Builder meterRegistry(Object meterRegistry) {
      this.meterRegistry = meterRegistry;
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
     * The configuration these settings make, validated.
     *
     * @throws IllegalArgumentException naming the field, its value and the allowed range
     */
    public RelayConfig config() {
      Duration heartbeat = heartbeatInterval;
      if (heartbeat == null && leaseDuration != null) {
        heartbeat = leaseDuration.dividedBy(3);
      }
      return new RelayConfig(
          dataSource,
          publisher,
          schema,
          partitions,
          batchSize,
          pollInterval,
          leaseDuration,
          heartbeat,
          backoffBase,
          backoffMax,
          backoffJitter,
          maxAttempts,
          parkKeyOnDeadLetter,
          publishTimeout,
          rateLimitPerSecond,
          threads,
          instanceId == null ? defaultInstanceId() : instanceId,
          clock,
          meterRegistry,
          listen,
          shutdownTimeout,
          closePublisher);
    }

    /**
     * The relay, not started.
     *
     * @throws IllegalArgumentException naming the field, its value and the allowed range
     */
    public Relay build() {
      return new DefaultRelay(config());
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
