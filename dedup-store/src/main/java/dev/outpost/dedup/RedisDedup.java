package dev.outpost.dedup;

import dev.outpost.dedup.internal.Identifiers;
import dev.outpost.dedup.internal.LettuceRedisDedup;
import dev.outpost.dedup.internal.RedisConnector;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

/**
 * Process-once for work whose effect is <em>not</em> in the database (send an SMS, call a payment
 * API, update a cache), on Redis through the Lettuce client. Same shape as {@link
 * Dedup#processOnce}: a consumer name and a message id; the work runs at most once in effect per
 * {@code (consumer, messageId)} within the retention window, <b>as long as Redis keeps its keys and
 * the work finishes within its lease</b>.
 *
 * <p>Per call, on the key {@code <keyPrefix><consumer>:<messageId>}:
 *
 * <ol>
 *   <li><b>claim</b>: {@code SET key processing:<token> NX PX <lease>} with a fresh fencing token.
 *       When the key exists, its value tells {@link ProcessOutcome#DUPLICATE} (done) from {@link
 *       ProcessOutcome#IN_PROGRESS} (another delivery holds the claim); the work does not run.
 *   <li><b>work</b>: runs on the calling thread.
 *   <li><b>mark done</b>: a Lua script replaces the value with {@code done:<token>} and the expiry
 *       with {@code PX <retention>} <em>only if the key still holds this call's claim</em>. A slow
 *       worker whose lease expired and whose message was claimed again cannot overwrite the newer
 *       claim: it gets {@link ProcessOutcome#PROCESSED_UNRECORDED} and a warning is logged.
 *   <li>When the work throws, a Lua script deletes the claim if it is still this call's, so a
 *       redelivery runs the work again; the exception propagates unchanged.
 * </ol>
 *
 * <p>A process that crashes during the work leaves its claim behind: redeliveries get {@link
 * ProcessOutcome#IN_PROGRESS} until the lease expires, then one of them runs the work.
 *
 * <p><b>Failures of Redis</b> before the work (no connection, timeout, error reply) throw a {@link
 * DedupException} naming the Redis URL without its password; the work does not run. After the work,
 * a failed done mark gives {@link ProcessOutcome#PROCESSED_UNRECORDED}: the claim expires after the
 * lease and a later delivery may run the work again.
 *
 * <p><b>What "once" means here</b> (unlike the database store, whose key commits with the effect):
 * a key Redis forgets — a restart without persistence, an {@code appendfsync everysec} window, a
 * failover to a replica that had not received it, eviction under {@code maxmemory} — makes the next
 * delivery run the work again; so does a lease shorter than a run of the work. Use {@code
 * maxmemory-policy noeviction} (or {@code volatile-*} on a dedicated instance), AOF with {@code
 * appendfsync always} where a repeat is expensive, and a lease well above the work's timeout.
 *
 * <p>Thread-safe: one instance serves the whole application over one multiplexed connection. {@link
 * #close()} closes the connection and client it opened itself (from {@link Builder#uri}), not a
 * connection passed to {@link Builder#connection}.
 *
 * <pre>{@code
 * try (RedisDedup dedup = RedisDedup.builder().uri("redis://localhost:6379").build()) {
 *   ProcessOutcome outcome = dedup.processOnce("sms", messageId, () -> sms.send(order.phone()));
 * }
 * }</pre>
 */
public interface RedisDedup extends DedupStore<RedisClaim>, AutoCloseable {

  /** Default lease of a claim: 30 seconds. */
  Duration DEFAULT_LEASE = Duration.ofSeconds(30);

  /** Default retention of a processed message: 7 days. */
  Duration DEFAULT_RETENTION = Duration.ofDays(7);

  /** Default key prefix: {@value}. */
  String DEFAULT_KEY_PREFIX = "outpost:dedup:";

  /** Default bound on each Redis command: 2 seconds. */
  Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

  /** Default bound on opening the connection: 2 seconds. */
  Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** Longest key prefix accepted, in characters. */
  int MAX_KEY_PREFIX_LENGTH = 200;

  /** Starts a configuration with the defaults. */
  static Builder builder() {
    return new Builder();
  }

  /**
   * Runs {@code work} unless {@code (consumer, messageId)} was processed already or is being
   * processed by another delivery right now.
   *
   * @param consumer the consumer (group) name, 1 to {@value Dedup#MAX_CONSUMER_LENGTH} characters,
   *     not blank
   * @param messageId the message's stable id
   * @param work the work; when it throws, the claim is released and the exception propagates
   *     unchanged
   * @return {@link ProcessOutcome#PROCESSED}, {@link ProcessOutcome#DUPLICATE}, {@link
   *     ProcessOutcome#IN_PROGRESS} or {@link ProcessOutcome#PROCESSED_UNRECORDED}
   * @throws IllegalArgumentException when an argument is null or invalid
   * @throws DedupException when Redis fails before the work (the work did not run)
   * @throws IllegalStateException when closed
   */
  ProcessOutcome processOnce(String consumer, UUID messageId, Runnable work);

  /**
   * Same as {@link #processOnce(String, UUID, Runnable)}, handing the work its {@link RedisClaim};
   * a checked exception of the work is wrapped in a {@link DedupException}.
   */
  @Override
  ProcessOutcome processOnce(String consumer, UUID messageId, Work<RedisClaim> work);

  /** The counts of every consumer seen since this instance was built (an immutable snapshot). */
  Map<String, DedupCounts> counts();

  /** The validated configuration. */
  RedisDedupConfig config();

  /** The Redis URL this instance talks to, without a password. */
  String redactedUrl();

  /**
   * Closes the connection and client this instance opened; a connection passed to {@link
   * Builder#connection} stays open. Idempotent.
   */
  @Override
  void close();

  /** Configuration of {@link RedisDedup}. Not thread-safe; {@link #build()} may be called again. */
  final class Builder {
    private String uri;
    private StatefulRedisConnection<String, String> connection;
    private Duration lease = DEFAULT_LEASE;
    private Duration retention = DEFAULT_RETENTION;
    private String keyPrefix = DEFAULT_KEY_PREFIX;
    private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Clock clock = Clock.systemUTC();

    private Builder() {}

    /**
     * The Redis to connect to, as a Lettuce URI ({@code redis://[user:password@]host:port[/db]},
     * {@code rediss://...} for TLS, {@code redis-sentinel://...}). The connection is opened on the
     * first call and closed by {@link RedisDedup#close()}. Exactly one of this and {@link
     * #connection} is required.
     */
    public Builder uri(String uri) {
      this.uri = uri;
      return this;
    }

    /**
     * An open Lettuce connection (String keys and values) to use instead of {@link #uri}; it stays
     * the caller's and is not closed. Exactly one of this and {@link #uri} is required.
     */
    public Builder connection(StatefulRedisConnection<String, String> connection) {
      this.connection = connection;
      return this;
    }

    /**
     * How long a claim holds a message while its work runs, 10 ms to 1 day, at most the retention.
     * Must exceed the longest run of the work (give the work a timeout below it). Defaults to 30
     * seconds.
     */
    public Builder lease(Duration lease) {
      this.lease = lease;
      return this;
    }

    /**
     * How long a processed message is remembered, from 1 second to 3650 days; must exceed the
     * longest time after which the message can be delivered again. Defaults to 7 days.
     */
    public Builder retention(Duration retention) {
      this.retention = retention;
      return this;
    }

    /**
     * Prefix of every key, 0 to {@value RedisDedup#MAX_KEY_PREFIX_LENGTH} characters. Defaults to
     * {@value RedisDedup#DEFAULT_KEY_PREFIX}.
     */
    public Builder keyPrefix(String keyPrefix) {
      this.keyPrefix = keyPrefix;
      return this;
    }

    /** Bound on each Redis command, 1 ms to 10 minutes. Defaults to 2 seconds. */
    public Builder commandTimeout(Duration commandTimeout) {
      this.commandTimeout = commandTimeout;
      return this;
    }

    /**
     * Bound on opening the connection (with {@link #uri}), 1 ms to 10 minutes. Defaults to 2
     * seconds.
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = connectTimeout;
      return this;
    }

    /** The clock of {@link RedisClaim#leaseExpiresAt()}. Defaults to {@link Clock#systemUTC()}. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Validates the configuration and builds the store. Opens no connection and starts no thread:
     * the connection is opened by the first call.
     *
     * @throws IllegalArgumentException naming the bad field, its value and what is allowed
     */
    public RedisDedup build() {
      if ((uri == null) == (connection == null)) {
        throw new IllegalArgumentException(
            "set exactly one of uri and connection; "
                + (uri == null ? "none is set" : "both are set"));
      }
      Identifiers.requireBetween("lease", lease, Duration.ofMillis(10), Duration.ofDays(1));
      Identifiers.requireBetween(
          "retention", retention, Duration.ofSeconds(1), Duration.ofDays(3650));
      if (lease.compareTo(retention) > 0) {
        throw new IllegalArgumentException(
            "lease " + lease + " is longer than retention " + retention + "; it must not be");
      }
      if (keyPrefix == null || keyPrefix.length() > MAX_KEY_PREFIX_LENGTH) {
        throw new IllegalArgumentException(
            "keyPrefix is "
                + (keyPrefix == null ? "null" : keyPrefix.length() + " characters long")
                + "; pass 0 to "
                + MAX_KEY_PREFIX_LENGTH
                + " characters");
      }
      Identifiers.requireBetween(
          "commandTimeout", commandTimeout, Duration.ofMillis(1), Duration.ofMinutes(10));
      Identifiers.requireBetween(
          "connectTimeout", connectTimeout, Duration.ofMillis(1), Duration.ofMinutes(10));
      Identifiers.require("clock", clock);
      RedisDedupConfig config =
          new RedisDedupConfig(lease, retention, keyPrefix, commandTimeout, connectTimeout);
      RedisConnector connector =
          uri != null
              ? RedisConnector.forUri(uri, connectTimeout, commandTimeout)
              : RedisConnector.forConnection(connection);
      return new LettuceRedisDedup(config, connector, clock);
    }
  }
}
