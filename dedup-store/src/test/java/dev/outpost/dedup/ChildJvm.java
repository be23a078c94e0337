package dev.outpost.dedup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test main class run in a child JVM with this JVM's class path; output goes to a log file. */
final class ChildJvm {

  /** The exit code children use when they halt themselves at a crash point. */
  static final int CRASH_EXIT_CODE = 137;

  private final Process process;
  private final Path log;

  private ChildJvm(Process process, Path log) {
    this.process = process;
    this.log = log;
  }

  static ChildJvm start(Class<?> mainClass, String... args) throws IOException {
    Path log = Files.createTempFile("outpost-child-" + mainClass.getSimpleName(), ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx256m");
    command.add("-XX:TieredStopAtLevel=1");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass.getName());
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    return new ChildJvm(process, log);
  }

  /** Waits for the child to exit and returns its exit code; kills it after the timeout. */
  int awaitExit(long seconds) throws InterruptedException, IOException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      throw new AssertionError("child JVM did not exit within " + seconds + " s; log:\n" + log());
    }
    return process.exitValue();
  }

  String log() throws IOException {
    return Files.readString(log);
  }
}
