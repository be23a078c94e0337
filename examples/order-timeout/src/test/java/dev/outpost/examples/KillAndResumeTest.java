package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.testing.LocalRabbitMq;
import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Runs the app as a child JVM against the test's PostgreSQL, kills it with SIGKILL in the middle of
 * a simulation, starts it again with {@code --resume} on the same database, and checks that every
 * order still ends paid or released exactly once.
 */
class KillAndResumeTest {

  private static final String SCHEMA = "example_kill";

  private final TestDatabase db = OutpostPostgres.shared();
  private final OrderLedger ledger = new OrderLedger(db, SCHEMA);
  private final List<Process> children = new ArrayList<>();

  @TempDir Path dir;

  @AfterEach
  void killLeftovers() {
    children.forEach(Process::destroyForcibly);
  }

  @Test
  void a_simulation_killed_mid_run_settles_with_invariants_intact_after_resume() throws Exception {
    ledger.reset();
    Process first =
        startApp(dir.resolve("first.log"), "--simulate", "3000", "--rate", "250", "--seed", "7");
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () ->
                first.isAlive()
                    && schemaReady()
                    && ledger.orders() >= 600
                    && ledger.count("SELECT count(*) FROM $s.orders WHERE status = 'PAID'") >= 20
                    && ledger.count("SELECT count(*) FROM $s.orders WHERE status = 'CANCELLED'")
                        >= 20);

    first.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    System.out.println("killed run:\n" + Files.readString(dir.resolve("first.log")));

    long placedBeforeKill = ledger.orders();
    assertThat(placedBeforeKill).isBetween(600L, 2999L);
    assertThat(ledger.count("SELECT count(*) FROM $s.orders WHERE status = 'UNPAID'"))
        .as("orders left unpaid by the killed run, for the resumed run to time out")
        .isPositive();

    Path secondLog = dir.resolve("second.log");
    Process second = startApp(secondLog, "--resume");
    boolean exited = second.waitFor(150, TimeUnit.SECONDS);
    String output = Files.readString(secondLog, StandardCharsets.UTF_8);
    System.out.println("resumed run:\n" + output);
    assertThat(exited).as("resumed run finished; output so far:%n%s", output).isTrue();
    assertThat(output).contains("RESULT: all invariants hold");
    assertThat(second.exitValue()).as("exit code; output:%n%s", output).isZero();
    assertThat(ledger.orders()).isEqualTo(placedBeforeKill);
    ledger.assertSettledAndBalanced();
  }

  private boolean schemaReady() {
    return db.queryLong(
            "SELECT count(*) FROM information_schema.tables"
                + " WHERE table_schema = '"
                + SCHEMA
                + "' AND table_name = 'order_notice'")
        == 1;
  }

  @Test
  void a_stop_signal_during_a_simulation_stops_its_threads_first_without_stack_traces()
      throws Exception {
    OrderLedger stopLedger = new OrderLedger(db, "example_stop");
    stopLedger.reset();
    Path log = dir.resolve("stopped.log");
    Process app =
        startApp("example_stop", log, "--simulate", "5000", "--rate", "250", "--seed", "3");
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> app.isAlive() && schemaReady("example_stop") && stopLedger.orders() >= 300);

    app.destroy(); // SIGTERM: the same shutdown hook as Ctrl-C
    assertThat(app.waitFor(90, TimeUnit.SECONDS)).as("stopped in time").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    System.out.println("stopped run:\n" + output);
    assertThat(output)
        .contains("Stopped after")
        .doesNotContain("Exception")
        .doesNotContain("\tat ");
    assertThat(app.exitValue()).isEqualTo(143); // 128 + SIGTERM
  }

  @Test
  void a_broker_refusing_the_login_is_one_line_that_main_turns_into_exit_code_2() {
    LocalRabbitMq.requireAvailable();
    new OrderLedger(db, "example_login").reset();
    URI broker = URI.create(LocalRabbitMq.uri());
    String wrongLogin =
        "amqp://outpost-nobody:wrong-password@" + broker.getHost() + ":" + broker.getPort();
    AppConfig config =
        AppConfig.parse(
            new String[] {
              "--jdbc-url",
              db.jdbcUrl(),
              "--jdbc-user",
              db.user(),
              "--jdbc-password",
              db.password(),
              "--schema",
              "example_login",
              "--port",
              "0",
              "--rabbitmq-uri",
              wrongLogin
            },
            Map.of());
    assertThatThrownBy(() -> OrderTimeoutApp.run(config, System.out))
        .isInstanceOf(BrokerUnavailableException.class)
        .hasMessageStartingWith("cannot connect to RabbitMQ at amqp://" + broker.getHost())
        .hasMessageContaining("ACCESS_REFUSED")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n", "wrong-password"));
    assertThat(OrderTimeoutApp.EXIT_USAGE).isEqualTo(2);
  }

  private boolean schemaReady(String schema) {
    return db.queryLong(
            "SELECT count(*) FROM information_schema.tables"
                + " WHERE table_schema = '"
                + schema
                + "' AND table_name = 'order_notice'")
        == 1;
  }

  private Process startApp(Path log, String... simulationArgs) throws IOException {
    return startApp(SCHEMA, log, simulationArgs);
  }

  private Process startApp(String schema, Path log, String... simulationArgs) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(OrderTimeoutApp.class.getName());
    command.addAll(
        List.of(
            "--jdbc-url",
            db.jdbcUrl(),
            "--jdbc-user",
            db.user(),
            "--jdbc-password",
            db.password(),
            "--schema",
            schema,
            "--order-timeout",
            "2s",
            "--duplicate-share",
            "0.1"));
    command.addAll(List.of(simulationArgs));
    File logFile = log.toFile();
    Process process =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logFile).start();
    children.add(process);
    return process;
  }
}
