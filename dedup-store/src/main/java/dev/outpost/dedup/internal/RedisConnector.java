package dev.outpost.dedup.internal;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Opens (lazily, on first use) and owns the Redis connection of a {@code RedisDedup}, or wraps the
 * caller's connection. Thread-safe.
 */
public final class RedisConnector implements AutoCloseable {

  private static final Pattern USER_INFO = Pattern.compile("^([a-z-]+://)([^@/]*)@");

  private final String redactedUrl;
  private final RedisURI redisUri;
  private final Duration connectTimeout;
  private final Duration commandTimeout;
  private final boolean owned;
  private RedisClient client;
  private volatile StatefulRedisConnection<String, String> connection;
  private volatile boolean closed;

  private RedisConnector(
      String redactedUrl,
      RedisURI redisUri,
      StatefulRedisConnection<String, String> connection,
      Duration connectTimeout,
      Duration commandTimeout) {
    this.redactedUrl = redactedUrl;
    this.redisUri = redisUri;
    this.connection = connection;
    this.connectTimeout = connectTimeout;
    this.commandTimeout = commandTimeout;
    this.owned = connection == null;
  }

  /**
   * A connector that opens its own client and connection to {@code uri} on first use.
   *
   * @throws IllegalArgumentException when the URI cannot be parsed (the message hides the password)
   */
  public static RedisConnector forUri(
      String uri, Duration connectTimeout, Duration commandTimeout) {
    String redacted = redact(uri);
    RedisURI parsed;
    try {
      parsed = RedisURI.create(uri);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException(
          "uri '"
              + redacted
              + "' is not a Redis URI; use redis://[user:password@]host:port[/database]");
    }
    parsed.setTimeout(commandTimeout);
    return new RedisConnector(redacted, parsed, null, connectTimeout, commandTimeout);
  }

  /** A connector around the caller's open connection, which it never closes. */
  public static RedisConnector forConnection(StatefulRedisConnection<String, String> connection) {
    return new RedisConnector(
        "Redis (the connection passed to RedisDedup.builder().connection(...))",
        null,
        connection,
        null,
        null);
  }

  /** {@code uri} with the password (and a user's password) replaced by {@code ***}. */
  public static String redact(String uri) {
    if (uri == null) {
      return "null";
    }
    String withoutQueryPassword = uri.replaceAll("(?i)([?&]password=)[^&]*", "$1***");
    Matcher m = USER_INFO.matcher(withoutQueryPassword);
    if (!m.find()) {
      return withoutQueryPassword;
    }
    String userInfo = m.group(2);
    int colon = userInfo.indexOf(':');
    String hidden = colon < 0 ? "***" : userInfo.substring(0, colon) + ":***";
    return m.group(1) + hidden + "@" + withoutQueryPassword.substring(m.end());
  }

  /** The Redis URL without a password. */
  public String redactedUrl() {
    return redactedUrl;
  }

  /**
   * The connection, opened on first use.
   *
   * @throws io.lettuce.core.RedisException when it cannot be opened
   * @throws IllegalStateException when closed
   */
  public StatefulRedisConnection<String, String> connection() {
    StatefulRedisConnection<String, String> current = connection;
    if (current != null) {
      return current;
    }
    synchronized (this) {
      if (closed) {
        throw new IllegalStateException("RedisDedup for " + redactedUrl + " was closed");
      }
      if (connection == null) {
        if (client == null) {
          client = RedisClient.create(redisUri);
          client.setOptions(
              ClientOptions.builder()
                  .autoReconnect(true)
                  // Fail at once while disconnected instead of queueing until the timeout.
                  .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                  .socketOptions(SocketOptions.builder().connectTimeout(connectTimeout).build())
                  .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                  .build());
        }
        connection = client.connect();
      }
      return connection;
    }
  }

  /** Closes the connection and client this connector opened; never the caller's connection. */
  @Override
  public void close() {
    StatefulRedisConnection<String, String> toClose;
    RedisClient clientToClose;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      if (!owned) {
        return;
      }
      toClose = connection;
      clientToClose = client;
      connection = null;
      client = null;
    }
    if (toClose != null) {
      toClose.close();
    }
    if (clientToClose != null) {
      clientToClose.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return closed;
  }
}
