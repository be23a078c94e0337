package dev.outpost.relay.rabbitmq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code rabbitmqctl} against the local broker, touching only this test's connections. */
final class RabbitCtl {

  private RabbitCtl() {}

  /**
   * Closes (broker side) every connection whose client-provided name is {@code connectionName}.
   *
   * @return how many were closed
   */
  static int closeConnectionsNamed(String connectionName) {
    String marker = "{\"connection_name\",\"" + connectionName + "\"}";
    List<String> pids = new ArrayList<>();
    for (String line : run("list_connections", "-q", "pid", "client_properties").split("\n")) {
      if (line.contains(marker)) {
        pids.add(line.substring(0, line.indexOf('\t')).trim());
      }
    }
    for (String pid : pids) {
      run("close_connection", pid, "outpost test: broker closes the connection");
    }
    return pids.size();
  }

  private static String run(String... args) {
    List<String> command = new ArrayList<>();
    command.add("rabbitmqctl");
    command.addAll(List.of(args));
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      byte[] output = process.getInputStream().readAllBytes();
      if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new AssertionError(
            String.join(" ", command) + " failed: " + new String(output, StandardCharsets.UTF_8));
      }
      return new String(output, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new AssertionError("could not run rabbitmqctl (is it on the PATH?): " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted running rabbitmqctl", e);
    }
  }
}
