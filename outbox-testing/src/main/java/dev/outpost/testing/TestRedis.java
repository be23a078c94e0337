package dev.outpost.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;

/**
 * The Redis that tests run against, picked in this order:
 *
 * <ol>
 *   <li>{@value #ENV_URL} when set (e.g. {@code redis://:secret@redis.test:6379/0}), used as is;
 *   <li>a Testcontainers container when a Docker engine answers; image from {@value #ENV_IMAGE},
 *       default {@value #DEFAULT_IMAGE} (set {@value #ENV_USE_DOCKER}={@code false} to skip). When
 *       the container does not start within 60 seconds (e.g. the image cannot be pulled), a warning
 *       is logged and the next way is tried;
 *   <li>the local service at {@value #LOCAL_URL}.
 * </ol>
 *
 * <p>When none answers, {@link #shared()} fails with a message naming all three. Tests never assume
 * which path was taken, share the one server and keep apart by {@link #uniqueKeyPrefix()}.
 * Thread-safe.
 */
public final class TestRedis {

  /** Environment variable with the Redis URL to use. */
  public static final String ENV_URL = "OUTPOST_TEST_REDIS_URL";

  /** Environment variable naming the Docker image Testcontainers starts. */
  public static final String ENV_IMAGE = "OUTPOST_TEST_REDIS_IMAGE";

  /** Set to {@code false} to skip the Docker probe even where Docker exists. */
  public static final String ENV_USE_DOCKER = "OUTPOST_TEST_USE_DOCKER";

  /** The Testcontainers image used when {@link #ENV_IMAGE} is not set. */
  public static final String DEFAULT_IMAGE = "redis:7-alpine";

  /** The local service used when neither an URL nor Docker is there. */
  public static final String LOCAL_URL = "redis://127.0.0.1:6379";

  /** How long the Docker probe and container start may take before the local service is used. */
  static final Duration DOCKER_TIMEOUT = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(TestRedis.class);
  private static TestRedis shared;

  private final String url;
  private final String source;

  private TestRedis(String url, String source) {
    this.url = url;
    this.source = source;
  }

  /**
   * The Redis of this test JVM, picked (and for Testcontainers started) on first use.
   *
   * @throws IllegalStateException naming the three ways to provide a Redis when none answers
   */
  public static synchronized TestRedis shared() {
    if (shared == null) {
      shared = pick(System.getenv());
      log.info("Tests use Redis {} ({})", redact(shared.url), shared.source);
    }
    return shared;
  }

  /** The Redis URL (it may carry a password: print {@link #redactedUrl()}). */
  public String url() {
    return url;
  }

  /** The URL without its password. */
  public String redactedUrl() {
    return redact(url);
  }

  /** Where the server came from: {@code env}, {@code testcontainers <image>} or {@code local}. */
  public String source() {
    return source;
  }

  /** A key prefix no other test (or run) uses: {@code outpost-test:<random>:}. */
  public static String uniqueKeyPrefix() {
    return "outpost-test:" + UUID.randomUUID() + ":";
  }

  static TestRedis pick(Map<String, String> env) {
    return pick(env, 6379);
  }

  /** Picks a Redis as documented, probing the local service on {@code localPort}. */
  static TestRedis pick(Map<String, String> env, int localPort) {
    String explicit = env.get(ENV_URL);
    if (explicit != null && !explicit.isBlank()) {
      return new TestRedis(explicit.trim(), "env " + ENV_URL);
    }
    String dockerProblem;
    if (!"false".equalsIgnoreCase(env.get(ENV_USE_DOCKER))) {
      String image = env.getOrDefault(ENV_IMAGE, DEFAULT_IMAGE);
      try {
        TestRedis container = withinDockerTimeout(image);
        if (container != null) {
          return container;
        }
        dockerProblem = "no Docker engine answers";
      } catch (RuntimeException e) {
        dockerProblem = "container " + image + " failed: " + e;
        log.warn("Testcontainers Redis {} failed; trying the local service", image, e);
      }
    } else {
      dockerProblem = ENV_USE_DOCKER + "=false";
    }
    String localUrl = "redis://127.0.0.1:" + localPort;
    String localProblem = ping("127.0.0.1", localPort);
    if (localProblem == null) {
      return new TestRedis(localUrl, "local");
    }
    throw new IllegalStateException(
        "no Redis for the tests: (1) "
            + ENV_URL
            + " is not set; (2) Testcontainers: "
            + dockerProblem
            + "; (3) the local service at "
            + localUrl
            + " does not answer ("
            + localProblem
            + "). Set "
            + ENV_URL
            + ", start Docker, or start Redis locally, e.g. 'redis-server --daemonize yes"
            + " --bind 127.0.0.1 --port 6379'.");
  }

  /**
   * Probes Docker and starts the container within {@link #DOCKER_TIMEOUT}: a Docker engine that
   * answers but cannot pull images (no registry access) would otherwise retry for minutes.
   *
   * @return the container, or {@code null} when no Docker engine answers
   */
  private static TestRedis withinDockerTimeout(String image) {
    FutureTask<TestRedis> attempt =
        new FutureTask<>(() -> dockerAnswers() ? startContainer(image) : null);
    Thread thread = new Thread(attempt, "outpost-test-redis-docker");
    thread.setDaemon(true);
    thread.start();
    try {
      return attempt.get(DOCKER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      attempt.cancel(true);
      throw new IllegalStateException(
          "Docker answers but the container did not start within " + DOCKER_TIMEOUT, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause().toString(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while starting a Redis container", e);
    }
  }

  private static TestRedis startContainer(String image) {
    @SuppressWarnings("resource") // stopped by Testcontainers' reaper at JVM exit
    GenericContainer<?> container = new GenericContainer<>(image).withExposedPorts(6379);
    container.start();
    return new TestRedis(
        "redis://" + container.getHost() + ":" + container.getMappedPort(6379),
        "testcontainers " + image);
  }

  private static boolean dockerAnswers() {
    boolean configured =
        System.getenv("DOCKER_HOST") != null || Files.exists(Path.of("/var/run/docker.sock"));
    if (!configured) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      log.info("No Docker engine answers ({})", e.toString());
      return false;
    }
  }

  /**
   * Sends {@code PING} to a Redis without a password.
   *
   * @return {@code null} when it answers {@code +PONG}, else what went wrong
   */
  static String ping(String host, int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 2_000);
      socket.setSoTimeout(2_000);
      OutputStream out = socket.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      byte[] reply = new byte[64];
      int n = in.read(reply);
      String answer = n <= 0 ? "" : new String(reply, 0, n, StandardCharsets.US_ASCII).trim();
      return answer.equals("+PONG") ? null : "answered '" + answer + "'";
    } catch (IOException e) {
      return e.toString();
    }
  }

  /** {@code url} with a password replaced by {@code ***}. */
  static String redact(String url) {
    return url.replaceFirst("^([a-z-]+://)([^:@/]*):[^@/]*@", "$1$2:***@")
        .replaceFirst("^([a-z-]+://)[^:@/]+@", "$1***@");
  }
}
