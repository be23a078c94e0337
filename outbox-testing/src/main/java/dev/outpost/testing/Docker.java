package dev.outpost.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;

/** Whether the fixtures take the Testcontainers path: a Docker engine answers and is not vetoed. */
final class Docker {

  private static final Logger log = LoggerFactory.getLogger(Docker.class);
  private static Boolean answers;

  private Docker() {}

  /**
   * True when {@value OutpostPostgres#ENV_USE_DOCKER} is not {@code false} and a Docker engine
   * answers.
   */
  static boolean selected(Map<String, String> env) {
    return !"false".equalsIgnoreCase(env.get(OutpostPostgres.ENV_USE_DOCKER)) && answers();
  }

  /** Whether a Docker engine answers; probed once per JVM. */
  static synchronized boolean answers() {
    if (answers == null) {
      answers = probe();
    }
    return answers;
  }

  private static boolean probe() {
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
}
