package dev.outpost.dedup.internal;

import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupException;
import dev.outpost.dedup.ProcessOutcome;
import dev.outpost.dedup.RedisClaim;
import dev.outpost.dedup.RedisDedup;
import dev.outpost.dedup.RedisDedupConfig;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SetArgs;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link RedisDedup} on Lettuce: claim with {@code SET NX PX}, mark done and release with Lua
 * compare-and-set scripts fenced by the claim's token. Thread-safe; all calls share one multiplexed
 * connection (Lettuce pipelines concurrent commands on it).
 */
public final class LettuceRedisDedup implements RedisDedup {

  private static final Logger log = LoggerFactory.getLogger(LettuceRedisDedup.class);

  static final String PROCESSING = "processing:";
  static final String DONE = "done:";

  /** KEYS[1] = key, ARGV[1] = our claim, ARGV[2] = done value, ARGV[3] = retention in ms. */
  static final String MARK_DONE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
          + "  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])\n"
          + "  return 1\n"
          + "end\n"
          + "return 0\n";

  /** KEYS[1] = key, ARGV[1] = our claim. */
  static final String RELEASE =
      "if redis.call('GET', KEYS[1]) == ARGV[1] then\n"
          + "  return redis.call('DEL', KEYS[1])\n"
          + "end\n"
          + "return 0\n";

  private static final String MARK_DONE_SHA = sha1(MARK_DONE);
  private static final String RELEASE_SHA = sha1(RELEASE);
  private static final int CLAIM_ATTEMPTS = 3;

  private final RedisDedupConfig config;
  private final RedisConnector connector;
  private final Clock clock;
  private final String leaseMillis;
  private final String retentionMillis;
  private final long timeoutNanos;
  // Fencing tokens: unique per claim without a SecureRandom call each (random per instance).
  private final String tokenPrefix = UUID.randomUUID() + "/";
  private final AtomicLong tokens = new AtomicLong();
  private final ConcurrentHashMap<String, Tally> tallies = new ConcurrentHashMap<>();

  /** A store with a validated configuration; opens no connection yet. */
  public LettuceRedisDedup(RedisDedupConfig config, RedisConnector connector, Clock clock) {
    this.config = config;
    this.connector = connector;
    this.clock = clock;
    this.leaseMillis = Long.toString(config.lease().toMillis());
    this.retentionMillis = Long.toString(config.retention().toMillis());
    this.timeoutNanos = config.commandTimeout().toNanos();
  }

  @Override
  public ProcessOutcome processOnce(String consumer, UUID messageId, Runnable work) {
    Identifiers.require("work", work);
    return processOnce(consumer, messageId, claim -> work.run());
  }

  @Override
  public ProcessOutcome processOnce(String consumer, UUID messageId, Work<RedisClaim> work) {
    Identifiers.requireConsumer(consumer);
    Identifiers.requireMessageId(messageId);
    Identifiers.require("work", work);
    if (connector.isClosed()) {
      throw new IllegalStateException("RedisDedup for " + redactedUrl() + " was closed");
    }
    String key = config.keyPrefix() + consumer + ":" + messageId;
    String token = tokenPrefix + tokens.incrementAndGet();
    String claimValue = PROCESSING + token;
    Instant now = clock.instant();
    Tally tally = tallies.computeIfAbsent(consumer, c -> new Tally());
    ProcessOutcome taken = claim(key, claimValue, consumer, messageId);
    if (taken != null) {
      if (taken == ProcessOutcome.DUPLICATE) {
        tally.duplicates.increment();
      }
      return taken;
    }
    runWork(work, new RedisClaim(consumer, messageId, now.plus(config.lease())), key, claimValue);
    ProcessOutcome outcome = markDone(key, claimValue, DONE + token, consumer, messageId);
    tally.processed.increment();
    return outcome;
  }

  @Override
  public DedupCounts counts(String consumer) {
    Identifiers.require("consumer", consumer);
    Tally tally = tallies.get(consumer);
    return tally == null ? DedupCounts.ZERO : tally.snapshot();
  }

  @Override
  public Map<String, DedupCounts> counts() {
    Map<String, DedupCounts> snapshot = new TreeMap<>();
    tallies.forEach((consumer, tally) -> snapshot.put(consumer, tally.snapshot()));
    return Map.copyOf(snapshot);
  }

  @Override
  public RedisDedupConfig config() {
    return config;
  }

  @Override
  public String redactedUrl() {
    return connector.redactedUrl();
  }

  @Override
  public void close() {
    connector.close();
  }

  @Override
  public String toString() {
    return "RedisDedup[" + redactedUrl() + ", " + config + "]";
  }

  /** Returns {@code null} when this call now holds the claim, else why the work must not run. */
  private ProcessOutcome claim(String key, String claimValue, String consumer, UUID messageId) {
    for (int attempt = 1; attempt <= CLAIM_ATTEMPTS; attempt++) {
      String set =
          call(
              "claim",
              consumer,
              messageId,
              redis -> redis.set(key, claimValue, SetArgs.Builder.nx().px(config.lease())));
      if ("OK".equals(set)) {
        return null;
      }
      String existing = call("claim", consumer, messageId, redis -> redis.get(key));
      if (existing != null) {
        return existing.startsWith(DONE) ? ProcessOutcome.DUPLICATE : ProcessOutcome.IN_PROGRESS;
      }
      // The other claim expired (or was released) between SET and GET: try to claim again.
    }
    return ProcessOutcome.IN_PROGRESS;
  }

  private void runWork(Work<RedisClaim> work, RedisClaim claim, String key, String claimValue) {
    try {
      work.run(claim);
    } catch (RuntimeException | Error e) {
      release(key, claimValue, claim, e);
      throw e;
    } catch (Exception e) {
      release(key, claimValue, claim, e);
      throw new DedupException(
          "the work of consumer '"
              + claim.consumer()
              + "' for message "
              + claim.messageId()
              + " failed: "
              + e
              + "; its claim was released, so a redelivery runs it again",
          claim.consumer(),
          claim.messageId(),
          e);
    }
  }

  private void release(String key, String claimValue, RedisClaim claim, Throwable cause) {
    try {
      script(RELEASE, RELEASE_SHA, key, claimValue);
    } catch (RuntimeException e) {
      cause.addSuppressed(e);
      log.warn(
          "Could not release the claim of consumer '{}' on message {} after its work failed ({});"
              + " redeliveries are told IN_PROGRESS until the lease of {} expires",
          claim.consumer(),
          claim.messageId(),
          e.toString(),
          config.lease());
    }
  }

  private ProcessOutcome markDone(
      String key, String claimValue, String doneValue, String consumer, UUID messageId) {
    long marked;
    try {
      marked = script(MARK_DONE, MARK_DONE_SHA, key, claimValue, doneValue, retentionMillis);
    } catch (RuntimeException e) {
      log.warn(
          "The work of consumer '{}' for message {} ran, but marking it done in Redis at {}"
              + " failed; once the lease of {} expires a redelivery may run it again",
          consumer,
          messageId,
          redactedUrl(),
          config.lease(),
          e);
      return ProcessOutcome.PROCESSED_UNRECORDED;
    }
    if (marked == 1) {
      return ProcessOutcome.PROCESSED;
    }
    log.warn(
        "The work of consumer '{}' for message {} ran longer than its lease of {}; its claim"
            + " expired (and another delivery may have claimed the message and run the work"
            + " too), so it was not marked done. Give the work a timeout below the lease, or"
            + " raise the lease.",
        consumer,
        messageId,
        config.lease());
    return ProcessOutcome.PROCESSED_UNRECORDED;
  }

  private long script(String script, String sha, String key, String... args) {
    String[] keys = {key};
    Long result;
    try {
      result =
          call(
              "script",
              null,
              null,
              redis -> redis.<Long>evalsha(sha, ScriptOutputType.INTEGER, keys, args));
    } catch (DedupException e) {
      if (!(e.getCause() instanceof RedisNoScriptException)) {
        throw e;
      }
      // A restarted (or flushed) Redis has forgotten the script: EVAL sends and caches it.
      result =
          call(
              "script",
              null,
              null,
              redis -> redis.<Long>eval(script, ScriptOutputType.INTEGER, keys, args));
    }
    return result == null ? 0 : result;
  }

  private <T> T call(
      String step,
      String consumer,
      UUID messageId,
      Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
    try {
      RedisFuture<T> future = command.apply(connector.connection().async());
      return LettuceFutures.awaitOrCancel(future, timeoutNanos, TimeUnit.NANOSECONDS);
    } catch (IllegalStateException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new DedupException(
          "Redis at "
              + redactedUrl()
              + " failed ("
              + step
              + (messageId == null ? "" : " of message " + messageId)
              + "): "
              + e.getMessage()
              + "; check that Redis is up and reachable"
              + (step.equals("claim") ? "; the work was not run" : ""),
          consumer,
          messageId,
          e);
    }
  }

  private static String sha1(String script) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-1").digest(script.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is required of every JVM", e);
    }
  }

  private static final class Tally {
    private final LongAdder processed = new LongAdder();
    private final LongAdder duplicates = new LongAdder();

    DedupCounts snapshot() {
      return new DedupCounts(processed.sum(), duplicates.sum());
    }
  }
}
