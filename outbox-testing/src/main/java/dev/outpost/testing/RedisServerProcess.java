package dev.outpost.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A private {@code redis-server} process on a free port of 127.0.0.1, for tests that stop and
 * restart Redis: never restart a shared server. AOF with {@code appendfsync always}, so a kill
 * loses no acknowledged write; optionally with a password. Needs {@code redis-server} on the PATH.
 *
 * <p>{@link #kill()} sends SIGKILL; {@link #start()} brings it back on the same port with the same
 * data directory. Not thread-safe.
 */
public final class RedisServerProcess implements AutoCloseable {

  private final int port;
  private final Path dir;
  private final String password;
  private Process process;

  private RedisServerProcess(int port, Path dir, String password) {
    this.port = port;
    this.dir = dir;
    this.password = password;
  }

  /**
   * Starts a server on a free port with a fresh data directory.
   *
   * @param password the {@code requirepass}, or {@code null} for none
   * @throws IllegalStateException when {@code redis-server} is missing or does not come up
   */
  public static RedisServerProcess startNew(String password) {
    try {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      RedisServerProcess server =
          new RedisServerProcess(port, Files.createTempDirectory("outpost-redis-"), password);
      server.start();
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("could not prepare a private redis-server: " + e, e);
    }
  }

  /** The server's URL, with the password when there is one. */
  public String url() {
    return "redis://" + (password == null ? "" : ":" + password + "@") + "127.0.0.1:" + port;
  }

  /** The port. */
  public int port() {
    return port;
  }

  /**
   * Starts the (stopped) server again on the same port and data directory and waits until it
   * answers.
   *
   * @throws IllegalStateException when it does not come up within 20 seconds
   */
  public void start() {
    if (process != null && process.isAlive()) {
      return;
    }
    List<String> command = new ArrayList<>();
    command.addAll(
        List.of(
            "redis-server",
            "--port",
            Integer.toString(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "yes",
            "--appendfsync",
            "always",
            "--dir",
            dir.toString(),
            "--logfile",
            dir.resolve("redis.log").toString()));
    if (password != null) {
      command.addAll(List.of("--requirepass", password));
    }
    try {
      process = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "could not run redis-server (" + e + "); install Redis so it is on the PATH", e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    String problem = "not tried";
    while (System.nanoTime() < deadline && process.isAlive()) {
      problem = TestRedis.ping("127.0.0.1", port);
      if (problem == null || problem.contains("NOAUTH")) {
        return;
      }
      try {
        process.waitFor(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting redis-server", e);
      }
    }
    throw new IllegalStateException(
        "private redis-server on port "
            + port
            + " did not come up ("
            + problem
            + "); see "
            + dir.resolve("redis.log"));
  }

  /** Kills the server with SIGKILL and waits for it to exit. */
  public void kill() {
    if (process == null) {
      return;
    }
    process.destroyForcibly();
    try {
      process.waitFor(20, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Kills the server. Its data directory stays (a temporary directory). */
  @Override
  public void close() {
    kill();
  }
}
