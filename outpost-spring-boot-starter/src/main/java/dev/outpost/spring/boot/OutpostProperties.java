package dev.outpost.spring.boot;

import dev.outpost.common.Dialect;
import dev.outpost.dedup.DedupPurger;
import dev.outpost.delay.DelaySchedulerConfig;
import dev.outpost.migrations.OutpostMigrations;
import dev.outpost.outbox.OutboxConfig;
import dev.outpost.relay.RelayConfig;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * Outpost's settings under {@code outpost.*}. Unset values take the library defaults (named in each
 * setter), so an empty configuration runs Outpost as its builders would.
 */
@ConfigurationProperties("outpost")
public class OutpostProperties {

  /** Schema of Outpost's tables (outbox, dead letters, delayed messages, dedup keys, leases). */
  private String schema = OutpostMigrations.DEFAULT_SCHEMA;

  /**
   * Logical partitions of the outbox (1..1024); the same for every node writing to or relaying from
   * this schema.
   */
  private int partitions = OutboxConfig.DEFAULT_PARTITIONS;

  /**
   * The database's dialect, for every Outpost component and the choice of migrations: postgresql or
   * mysql (MySQL 8.0+ and MariaDB 10.6+). Unset (the default), it is detected from the data
   * source's metadata.
   */
  private Dialect dialect;

  private final Migration migration = new Migration();
  private final Relay relay = new Relay();
  private final Delay delay = new Delay();
  private final Dedup dedup = new Dedup();
  private final Publisher publisher = new Publisher();
  private final Lifecycle lifecycle = new Lifecycle();
  private final Health health = new Health();
  private final Console console = new Console();

  public String getSchema() {
    return schema;
  }

  public void setSchema(String schema) {
    this.schema = schema;
  }

  public int getPartitions() {
    return partitions;
  }

  public void setPartitions(int partitions) {
    this.partitions = partitions;
  }

  public Dialect getDialect() {
    return dialect;
  }

  public void setDialect(Dialect dialect) {
    this.dialect = dialect;
  }

  public Migration getMigration() {
    return migration;
  }

  public Relay getRelay() {
    return relay;
  }

  public Delay getDelay() {
    return delay;
  }

  public Dedup getDedup() {
    return dedup;
  }

  public Publisher getPublisher() {
    return publisher;
  }

  public Lifecycle getLifecycle() {
    return lifecycle;
  }

  public Console getConsole() {
    return console;
  }

  public Health getHealth() {
    return health;
  }

  /** Who creates Outpost's tables. */
  public enum MigrationMode {
    /**
     * Outpost's own migrations ({@code OutpostMigrations}) with their own history table, at
     * startup, before anything runs.
     */
    OUTPOST,
    /**
     * Boot's Flyway: Outpost's migration location is added to {@code spring.flyway.locations}, so
     * Outpost's versions share the application's history table and version numbers.
     */
    FLYWAY,
    /** Nobody: the tables are created outside the application. */
    NONE
  }

  /** The broker the relay publishes to. */
  public enum PublisherType {
    /** Handlers in this JVM: the beans of type {@code OutpostHandler}. */
    IN_PROCESS,
    /** Kafka, with {@code outpost.publisher.kafka.*}. */
    KAFKA,
    /** RabbitMQ, with {@code outpost.publisher.rabbitmq.*}. */
    RABBITMQ
  }

  /** {@code outpost.migration.*}. */
  public static class Migration {
    /** Who creates Outpost's tables: outpost (default), flyway or none. */
    private MigrationMode mode = MigrationMode.OUTPOST;

    /** Outpost's own Flyway history table (mode outpost). */
    private String historyTable = OutpostMigrations.DEFAULT_HISTORY_TABLE;

    public MigrationMode getMode() {
      return mode;
    }

    public void setMode(MigrationMode mode) {
      this.mode = mode;
    }

    public String getHistoryTable() {
      return historyTable;
    }

    public void setHistoryTable(String historyTable) {
      this.historyTable = historyTable;
    }
  }

  /** {@code outpost.relay.*}. */
  public static class Relay {
    /** Whether this node runs a relay (publishing the outbox). */
    private boolean enabled = true;

    /** Worker threads (1..1024); one per partition suits a broker with confirms. */
    private int threads = RelayConfig.DEFAULT_THREADS;

    /** Most messages per partition batch (1..10000). */
    private int batchSize = RelayConfig.DEFAULT_BATCH_SIZE;

    /** Publish attempts before a message is dead-lettered (1..1000). */
    private int maxAttempts = RelayConfig.DEFAULT_MAX_ATTEMPTS;

    /** Delay before the first retry (1 ms..1 day). */
    private Duration backoffBase = RelayConfig.DEFAULT_BACKOFF_BASE;

    /** Longest delay between retries (backoff-base..7 days). */
    private Duration backoffMax = RelayConfig.DEFAULT_BACKOFF_MAX;

    /** Most messages per second this relay publishes; 0 for no limit. */
    private int rateLimitPerSecond = 0;

    /**
     * How often an idle partition polls without a notification (1 ms..1 h): the safety net of
     * LISTEN/NOTIFY on PostgreSQL, the longest interval of the adaptive polling on MySQL/MariaDB.
     */
    private Duration pollInterval = RelayConfig.DEFAULT_POLL_INTERVAL;

    /**
     * On MySQL/MariaDB (no notifications): how soon a partition polls again after a poll that found
     * work or a send in this JVM; each empty poll doubles it up to poll-interval (1 ms..
     * poll-interval). Unset, 10 ms, or poll-interval when that is shorter.
     */
    private Duration fastPollInterval;

    /** How long the outcome of a batch is awaited (1 ms..1 h). */
    private Duration publishTimeout = RelayConfig.DEFAULT_PUBLISH_TIMEOUT;

    /** How long stopping waits for in-flight batches (0..1 h). */
    private Duration shutdownTimeout = RelayConfig.DEFAULT_SHUTDOWN_TIMEOUT;

    /** Whether later messages of a key wait while the key has a dead letter. */
    private boolean parkKeyOnDeadLetter = true;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public int getThreads() {
      return threads;
    }

    public void setThreads(int threads) {
      this.threads = threads;
    }

    public int getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(int batchSize) {
      this.batchSize = batchSize;
    }

    public int getMaxAttempts() {
      return maxAttempts;
    }

    public void setMaxAttempts(int maxAttempts) {
      this.maxAttempts = maxAttempts;
    }

    public Duration getBackoffBase() {
      return backoffBase;
    }

    public void setBackoffBase(Duration backoffBase) {
      this.backoffBase = backoffBase;
    }

    public Duration getBackoffMax() {
      return backoffMax;
    }

    public void setBackoffMax(Duration backoffMax) {
      this.backoffMax = backoffMax;
    }

    public int getRateLimitPerSecond() {
      return rateLimitPerSecond;
    }

    public void setRateLimitPerSecond(int rateLimitPerSecond) {
      this.rateLimitPerSecond = rateLimitPerSecond;
    }

    public Duration getPollInterval() {
      return pollInterval;
    }

    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    public Duration getFastPollInterval() {
      return fastPollInterval;
    }

    public void setFastPollInterval(Duration fastPollInterval) {
      this.fastPollInterval = fastPollInterval;
    }

    public Duration getPublishTimeout() {
      return publishTimeout;
    }

    public void setPublishTimeout(Duration publishTimeout) {
      this.publishTimeout = publishTimeout;
    }

    public Duration getShutdownTimeout() {
      return shutdownTimeout;
    }

    public void setShutdownTimeout(Duration shutdownTimeout) {
      this.shutdownTimeout = shutdownTimeout;
    }

    public boolean isParkKeyOnDeadLetter() {
      return parkKeyOnDeadLetter;
    }

    public void setParkKeyOnDeadLetter(boolean parkKeyOnDeadLetter) {
      this.parkKeyOnDeadLetter = parkKeyOnDeadLetter;
    }
  }

  /** {@code outpost.delay.*}. */
  public static class Delay {
    /**
     * Whether this node sweeps due delayed messages into the outbox (scheduling and cancelling work
     * either way).
     */
    private boolean enabled = true;

    /** How often the sweep runs (10 ms..1 h); the same on every node. */
    private Duration sweepInterval = DelaySchedulerConfig.DEFAULT_SWEEP_INTERVAL;

    /** Most rows one move statement takes (1..100000). */
    private int batchSize = DelaySchedulerConfig.DEFAULT_BATCH_SIZE;

    /** Furthest a due time may lie ahead (1 s..36500 days). */
    private Duration maxDelay = DelaySchedulerConfig.DEFAULT_MAX_DELAY;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getSweepInterval() {
      return sweepInterval;
    }

    public void setSweepInterval(Duration sweepInterval) {
      this.sweepInterval = sweepInterval;
    }

    public int getBatchSize() {
      return batchSize;
    }

    public void setBatchSize(int batchSize) {
      this.batchSize = batchSize;
    }

    public Duration getMaxDelay() {
      return maxDelay;
    }

    public void setMaxDelay(Duration maxDelay) {
      this.maxDelay = maxDelay;
    }
  }

  /** {@code outpost.dedup.*}. */
  public static class Dedup {
    /** How long processed message ids are remembered; must exceed the longest redelivery delay. */
    private Duration retention = DedupPurger.DEFAULT_RETENTION;

    /** Whether this node purges keys older than the retention. */
    private boolean purgeEnabled = true;

    /** Pause between purges. */
    private Duration purgeInterval = DedupPurger.DEFAULT_INTERVAL;

    public Duration getRetention() {
      return retention;
    }

    public void setRetention(Duration retention) {
      this.retention = retention;
    }

    public boolean isPurgeEnabled() {
      return purgeEnabled;
    }

    public void setPurgeEnabled(boolean purgeEnabled) {
      this.purgeEnabled = purgeEnabled;
    }

    public Duration getPurgeInterval() {
      return purgeInterval;
    }

    public void setPurgeInterval(Duration purgeInterval) {
      this.purgeInterval = purgeInterval;
    }
  }

  /** {@code outpost.publisher.*}. */
  public static class Publisher {
    /** Where the relay publishes: in-process (default), kafka or rabbitmq. */
    private PublisherType type = PublisherType.IN_PROCESS;

    private final Kafka kafka = new Kafka();
    private final RabbitMq rabbitmq = new RabbitMq();

    public PublisherType getType() {
      return type;
    }

    public void setType(PublisherType type) {
      this.type = type;
    }

    public Kafka getKafka() {
      return kafka;
    }

    public RabbitMq getRabbitmq() {
      return rabbitmq;
    }
  }

  /** {@code outpost.publisher.kafka.*}. */
  public static class Kafka {
    /** Kafka bootstrap servers, host:port[,host:port]. */
    private String bootstrapServers = "localhost:9092";

    /** Extra producer properties; Outpost's safety settings (acks=all, idempotence) stay. */
    private Map<String, String> properties = new LinkedHashMap<>();

    public String getBootstrapServers() {
      return bootstrapServers;
    }

    public void setBootstrapServers(String bootstrapServers) {
      this.bootstrapServers = bootstrapServers;
    }

    public Map<String, String> getProperties() {
      return properties;
    }

    public void setProperties(Map<String, String> properties) {
      this.properties = properties;
    }
  }

  /** {@code outpost.publisher.rabbitmq.*}. */
  public static class RabbitMq {
    /** AMQP URI, amqp://user:password@host:port/vhost. */
    private String uri = "amqp://guest:guest@localhost:5672";

    /**
     * Exchange every message goes to, with the topic as routing key; empty for the default exchange
     * (the topic names the queue).
     */
    private String exchange = "";

    /** Publisher channels (each waits for its confirms). */
    private Integer channels;

    public String getUri() {
      return uri;
    }

    public void setUri(String uri) {
      this.uri = uri;
    }

    public String getExchange() {
      return exchange;
    }

    public void setExchange(String exchange) {
      this.exchange = exchange;
    }

    public Integer getChannels() {
      return channels;
    }

    public void setChannels(Integer channels) {
      this.channels = channels;
    }
  }

  /** {@code outpost.lifecycle.*}. */
  public static class Lifecycle {
    /**
     * SmartLifecycle phase of Outpost's components. The default starts them before the web server
     * and stops them after it finished its graceful shutdown, so requests still in flight can write
     * messages that the relay then publishes.
     */
    private int phase = OutpostLifecycle.DEFAULT_PHASE;

    public int getPhase() {
      return phase;
    }

    public void setPhase(int phase) {
      this.phase = phase;
    }
  }

  /** {@code outpost.health.*}. */
  public static class Health {
    /** An oldest waiting outbox message older than this makes the relay DEGRADED. */
    private Duration maxBacklogAge = Duration.ofMinutes(5);

    /** A delayed message due longer ago than this makes the delay scheduler DEGRADED. */
    private Duration maxSweepLateness = Duration.ofMinutes(1);

    public Duration getMaxBacklogAge() {
      return maxBacklogAge;
    }

    public void setMaxBacklogAge(Duration maxBacklogAge) {
      this.maxBacklogAge = maxBacklogAge;
    }

    public Duration getMaxSweepLateness() {
      return maxSweepLateness;
    }

    public void setMaxSweepLateness(Duration maxSweepLateness) {
      this.maxSweepLateness = maxSweepLateness;
    }
  }

  /** The web console of {@code outpost-admin}, mounted when that module is on the class path. */
  public static class Console {
    /** Where the console is mounted unless {@code outpost.console.path} says otherwise. */
    public static final String DEFAULT_PATH = "/outpost/console";

    /** Whether to mount the console (when outpost-admin is on the class path). */
    private boolean enabled = true;

    /** Path the console is served under. */
    private String path = DEFAULT_PATH;

    /** Whether replay, purge and cancel are allowed; read-only by default. */
    private boolean allowActions = false;

    /**
     * Token every request must carry (header X-Outpost-Token); without one, only loopback clients
     * are answered.
     */
    private String token;

    /** Name written into audit rows for actions from the console. */
    private String operator = "console";

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public boolean isAllowActions() {
      return allowActions;
    }

    public void setAllowActions(boolean allowActions) {
      this.allowActions = allowActions;
    }

    public String getToken() {
      return token;
    }

    public void setToken(String token) {
      this.token = token;
    }

    public String getOperator() {
      return operator;
    }

    public void setOperator(String operator) {
      this.operator = operator;
    }
  }
}
