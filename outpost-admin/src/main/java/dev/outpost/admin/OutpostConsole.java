package dev.outpost.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.outpost.admin.internal.ConsoleApi;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * The Outpost web console: backlog with a live chart, relays and leases, dead letters with filters,
 * replay and purge with a dry-run preview and confirmation, delayed messages. Read-only unless
 * {@link Builder#allowActions(boolean)}; every action writes an audit row.
 *
 * <p>Run it on its own server with {@link #start()} (binds to {@value ConsoleConfig#DEFAULT_HOST}
 * by default; another address needs a {@link Builder#token(String) token}, which every request must
 * then carry), or mount it in an application: {@link #httpHandler()} for a JDK {@code HttpServer}
 * context, or {@link #handle(ConsoleRequest)} from any web framework (the page uses relative links,
 * so mount it under a path ending in {@code /}).
 *
 * <pre>{@code
 * try (OutpostConsole console = OutpostConsole.builder().dataSource(ds).port(8081).build()) {
 *   console.start();
 *   ...
 * }
 * }</pre>
 *
 * <p>Thread-safe. {@link #close()} is idempotent and works without {@link #start()}.
 */
public final class OutpostConsole implements AutoCloseable {

  private static final int SERVER_THREADS = 4;

  private final ConsoleConfig config;
  private final ConsoleApi api;
  private final Object lock = new Object();
  private HttpServer server;
  private ExecutorService executor;
  private boolean closed;

  private OutpostConsole(ConsoleConfig config, DataSource dataSource, Clock clock) {
    this.config = config;
    this.api = new ConsoleApi(config, dataSource, clock);
  }

  /** Starts a configuration. */
  public static Builder builder() {
    return new Builder();
  }

  /** The configuration. */
  public ConsoleConfig config() {
    return config;
  }

  /**
   * Answers one request (token check, read-only check, routing). For mounting the console in a web
   * framework.
   */
  public ConsoleResponse handle(ConsoleRequest request) {
    return api.handle(request);
  }

  /** A handler for a JDK {@code HttpServer} context; paths are taken relative to the context. */
  public HttpHandler httpHandler() {
    return this::exchange;
  }

  /**
   * Starts the console's own HTTP server on {@link ConsoleConfig#host()}:{@link
   * ConsoleConfig#port()}.
   *
   * @throws OutpostException if the address cannot be bound
   * @throws IllegalStateException if already started or closed
   */
  public void start() {
    synchronized (lock) {
      if (closed || server != null) {
        throw new IllegalStateException("the console was already started or closed");
      }
      AtomicInteger n = new AtomicInteger();
      ExecutorService threads =
          Executors.newFixedThreadPool(
              SERVER_THREADS,
              r -> {
                Thread t = new Thread(r, "outpost-console-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
              });
      try {
        HttpServer s = HttpServer.create(new InetSocketAddress(config.host(), config.port()), 0);
        s.createContext("/", httpHandler());
        s.setExecutor(threads);
        s.start();
        server = s;
        executor = threads;
      } catch (IOException e) {
        threads.shutdownNow();
        throw new OutpostException(
            "could not bind the console to "
                + config.host()
                + ":"
                + config.port()
                + ": "
                + e.getMessage(),
            e);
      }
    }
  }

  /** The bound address of the console's own server. */
  public InetSocketAddress address() {
    synchronized (lock) {
      if (server == null) {
        throw new IllegalStateException("the console's own server is not running; call start()");
      }
      return server.getAddress();
    }
  }

  /** Stops the console's own server (if started), waiting up to a second for requests. */
  @Override
  public void close() {
    HttpServer s;
    ExecutorService threads;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      s = server;
      threads = executor;
    }
    if (s != null) {
      s.stop(0);
      threads.shutdown();
      try {
        if (!threads.awaitTermination(1, TimeUnit.SECONDS)) {
          threads.shutdownNow();
        }
      } catch (InterruptedException e) {
        threads.shutdownNow();
        Thread.currentThread().interrupt();
      }
    }
  }

  private void exchange(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (config.token() == null && !loopbackHost(exchange.getRequestHeaders().getFirst("Host"))) {
        // Without a token the console trusts loopback clients only; a page from elsewhere that
        // reaches 127.0.0.1 through DNS rebinding carries a foreign Host header.
        exchange.sendResponseHeaders(421, -1);
        return;
      }
      String context = exchange.getHttpContext().getPath();
      String path = exchange.getRequestURI().getRawPath();
      if (context.length() > 1 && path.startsWith(context)) {
        path = path.substring(context.length());
      }
      if (!path.startsWith("/")) {
        path = "/" + path;
      }
      Map<String, String> headers = new HashMap<>();
      exchange
          .getRequestHeaders()
          .forEach(
              (name, values) -> {
                if (!values.isEmpty()) {
                  headers.put(name.toLowerCase(Locale.ROOT), values.get(0));
                }
              });
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readNBytes(1 << 20);
      }
      ConsoleRequest request =
          new ConsoleRequest(
              exchange.getRequestMethod(),
              path,
              query(exchange.getRequestURI().getRawQuery()),
              headers,
              body,
              exchange.getRemoteAddress() == null
                  ? null
                  : exchange.getRemoteAddress().getAddress().getHostAddress());
      ConsoleResponse response = api.handle(request);
      exchange.getResponseHeaders().set("Content-Type", response.contentType());
      exchange.getResponseHeaders().set("Cache-Control", "no-store");
      exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
      exchange.getResponseHeaders().set("X-Frame-Options", "DENY");
      exchange.sendResponseHeaders(
          response.status(), response.body().length == 0 ? -1 : response.body().length);
      if (response.body().length > 0) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(response.body());
        }
      }
    }
  }

  private static boolean loopbackHost(String host) {
    if (host == null) {
      return false;
    }
    String name =
        host.startsWith("[")
            ? host.substring(0, host.indexOf(']') + 1)
            : host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
    return name.equals("127.0.0.1") || name.equalsIgnoreCase("localhost") || name.equals("[::1]");
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> query = new HashMap<>();
    if (raw == null || raw.isEmpty()) {
      return query;
    }
    for (String pair : raw.split("&")) {
      int eq = pair.indexOf('=');
      String name =
          URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      query.putIfAbsent(name, value);
    }
    return query;
  }

  /** Builds an {@link OutpostConsole}. Not thread-safe. */
  public static final class Builder {
    private DataSource dataSource;
    private Clock clock = Clock.systemUTC();
    private String schema = OutpostTableNames.DEFAULT_SCHEMA;
    private String host = ConsoleConfig.DEFAULT_HOST;
    private int port = ConsoleConfig.DEFAULT_PORT;
    private boolean allowActions;
    private String token;
    private String operator = ConsoleConfig.DEFAULT_OPERATOR;
    private int batchSize = ConsoleConfig.DEFAULT_BATCH_SIZE;

    private Builder() {}

    /** Where the console reads and acts (required). A small pool (2-4 connections) is enough. */
    public Builder dataSource(DataSource dataSource) {
      this.dataSource = dataSource;
      return this;
    }

    /** Schema of Outpost's tables. Defaults to {@code public}. */
    public Builder schema(String schema) {
      this.schema = schema;
      return this;
    }

    /** Clock for ages, audit rows and replayed rows. Defaults to the UTC system clock. */
    public Builder clock(Clock clock) {
      this.clock = clock;
      return this;
    }

    /**
     * Address the console's own server binds to. Defaults to {@value ConsoleConfig#DEFAULT_HOST};
     * any non-loopback address needs a {@link #token(String)}.
     */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Port of the console's own server, 0..65535 (0: any free). Defaults to 8081. */
    public Builder port(int port) {
      this.port = port;
      return this;
    }

    /** Whether replay, purge and cancel are allowed. Defaults to {@code false} (read-only). */
    public Builder allowActions(boolean allowActions) {
      this.allowActions = allowActions;
      return this;
    }

    /**
     * A token every request must carry (header {@code X-Outpost-Token} or query parameter {@code
     * token}), or null for none. Defaults to none, which only a loopback host allows.
     */
    public Builder token(String token) {
      this.token = token;
      return this;
    }

    /** Name written into audit rows (with the client address). Defaults to {@code console}. */
    public Builder operator(String operator) {
      this.operator = operator;
      return this;
    }

    /** Rows per transaction of a bulk action, 1..10000. Defaults to 500. */
    public Builder batchSize(int batchSize) {
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Builds the console; starts nothing.
     *
     * @throws IllegalArgumentException naming the setting that is missing or out of range, or a
     *     non-loopback host without a token
     */
    public OutpostConsole build() {
      if (dataSource == null) {
        throw new IllegalArgumentException("dataSource is required");
      }
      if (clock == null) {
        throw new IllegalArgumentException("clock must not be null");
      }
      OutpostSchema.named(schema);
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port is " + port + "; allowed 0..65535");
      }
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("batchSize is " + batchSize + "; allowed 1..10000");
      }
      if (operator == null || operator.isBlank()) {
        throw new IllegalArgumentException("operator must not be blank");
      }
      String effectiveToken = token == null || token.isBlank() ? null : token;
      if (host == null || host.isBlank()) {
        throw new IllegalArgumentException("host must not be blank");
      }
      if (effectiveToken == null && !isLoopback(host)) {
        throw new IllegalArgumentException(
            "host "
                + host
                + " is not a loopback address; the console binds elsewhere only with a token"
                + " (--token or OUTPOST_CONSOLE_TOKEN), which every request must then carry");
      }
      return new OutpostConsole(
          new ConsoleConfig(schema, host, port, allowActions, effectiveToken, operator, batchSize),
          dataSource,
          clock);
    }

    private static boolean isLoopback(String host) {
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          if (!a.isLoopbackAddress()) {
            return false;
          }
        }
        return true;
      } catch (UnknownHostException e) {
        throw new IllegalArgumentException("host " + host + " is unknown: " + e.getMessage(), e);
      }
    }
  }
}
