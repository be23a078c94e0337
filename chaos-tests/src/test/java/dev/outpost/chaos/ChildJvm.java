package dev.outpost.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A node (relay, scheduler) in a JVM of its own, on the test classpath, that the test kills with
 * SIGKILL or freezes with SIGSTOP/SIGCONT. Output goes to {@code target/chaos/<name>.log}.
 */
final class ChildJvm implements AutoCloseable {

  private final String name;
  private final Process process;
  private final Path log;
  private volatile boolean killedByTest;

  private ChildJvm(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  static ChildJvm start(String name, Class<?> main, String... args) {
    try {
      Path dir = Path.of("target", "chaos");
      Files.createDirectories(dir);
      Path log = dir.resolve(name + ".log");
      List<String> command = new ArrayList<>();
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      command.add("-Xmx256m");
      command.add("-XX:TieredStopAtLevel=1");
      command.add("-XX:+UseSerialGC");
      command.add("-Dorg.jooq.no-logo=true");
      command.add("-Dorg.jooq.no-tips=true");
      command.add("-cp");
      command.add(System.getProperty("java.class.path"));
      command.add(main.getName());
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      return new ChildJvm(name, process, log);
    } catch (IOException e) {
      throw new IllegalStateException("could not start child JVM " + name + ": " + e, e);
    }
  }

  String name() {
    return name;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Whether the child's output contains {@code text} (e.g. a "started" line). */
  boolean printed(String text) {
    try {
      return Files.exists(log) && Files.readString(log).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the test killed it (a child that died by itself is a failure). */
  boolean killedByTest() {
    return killedByTest;
  }

  /** SIGKILL, and waits until the process is gone. */
  void kill() {
    killedByTest = true;
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException(name + " survived SIGKILL");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** SIGSTOP: the JVM freezes (threads, heartbeats, sockets stay open). */
  void pause() {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause()}. */
  void resume() {
    signal("CONT");
  }

  private void signal(String signal) {
    try {
      Process kill =
          new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
              .redirectErrorStream(true)
              .start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " failed");
      }
    } catch (IOException e) {
      throw new IllegalStateException("could not signal " + name + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  File logFile() {
    return log.toFile();
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      try {
        signal("CONT");
      } catch (RuntimeException e) {
        // it died meanwhile
      }
      kill();
    }
  }
}
