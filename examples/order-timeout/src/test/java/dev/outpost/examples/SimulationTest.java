package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.EmbeddedKafka;
import dev.outpost.testing.EmbeddedRocketMq;
import dev.outpost.testing.LocalRabbitMq;
import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Runs the app's simulation in the test JVM on the shared test PostgreSQL and checks the outcome
 * from the tables, independently of the app's own report.
 */
class SimulationTest {

  private final TestDatabase db = OutpostPostgres.shared();

  @Test
  void simulated_orders_end_paid_or_released_once_with_duplicates_skipped() throws Exception {
    simulate("example_sim", 300);
  }

  @Test
  void the_same_holds_through_rabbitmq() throws Exception {
    LocalRabbitMq.requireAvailable();
    simulate("example_sim_rabbit", 200, "--rabbitmq-uri", LocalRabbitMq.uri());
  }

  @Test
  void the_same_holds_through_kafka() throws Exception {
    simulate(
        "example_sim_kafka", 200, "--kafka-bootstrap", EmbeddedKafka.shared().bootstrapServers());
  }

  @Test
  void the_same_holds_through_rocketmq() throws Exception {
    EmbeddedRocketMq rocketmq = EmbeddedRocketMq.shared();
    for (String topic : List.of(Events.ORDER_CREATED, Events.ORDER_TIMEOUT)) {
      rocketmq.createTopic(RocketMqTransport.topic("example_sim_rocketmq", topic), 4);
    }
    simulate("example_sim_rocketmq", 200, "--rocketmq-namesrv", rocketmq.namesrvAddress());
  }

  @Test
  void a_double_release_or_unbalanced_stock_fails_the_check_with_exit_code_1() throws Exception {
    simulate("example_sim_broken", 50);
    db.execute(
        """
        INSERT INTO example_sim_broken.stock_release (order_id, quantity, message_id, released_at)
        SELECT id, quantity, gen_random_uuid(), now() FROM example_sim_broken.orders
        WHERE status = 'CANCELLED' LIMIT 1""");
    db.execute("UPDATE example_sim_broken.stock SET available = available + 1 WHERE item = 'kiwi'");

    Run resumed = run(args("example_sim_broken", "--resume"));

    assertThat(resumed.exitCode()).isEqualTo(1);
    assertThat(resumed.output())
        .contains("[FAILED] stock balanced per item")
        .contains("[FAILED] stock released exactly once per cancelled order")
        .contains("[ok] every OrderCreated handled by the inventory consumer exactly once")
        .contains("RESULT: INVARIANT FAILED");
  }

  private void simulate(String schema, int orders, String... transport) throws Exception {
    OrderLedger ledger = new OrderLedger(db, schema);
    ledger.reset();
    List<String> args =
        args(schema, "--simulate", String.valueOf(orders), "--rate", "300", "--seed", "42");
    args.addAll(List.of(transport));

    Run run = run(args);

    assertThat(run.output()).contains("RESULT: all invariants hold").doesNotContain("FAILED");
    assertThat(run.exitCode()).isZero();
    assertThat(ledger.orders()).isEqualTo(orders);
    ledger.assertSettledAndBalanced();
    Matcher duplicates =
        Pattern.compile("duplicates\\s+(\\d+) injected, (\\d+) skipped").matcher(run.output());
    assertThat(duplicates.find()).as("duplicates line in:%n%s", run.output()).isTrue();
    long injected = Long.parseLong(duplicates.group(1));
    long skipped = Long.parseLong(duplicates.group(2));
    assertThat(injected).isPositive();
    assertThat(skipped).isGreaterThanOrEqualTo(injected);
  }

  private List<String> args(String schema, String... more) {
    List<String> args =
        new ArrayList<>(
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
                "1s",
                "--duplicate-share",
                "0.2"));
    args.addAll(List.of(more));
    return args;
  }

  private record Run(int exitCode, String output) {}

  private static Run run(List<String> args) throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    int exitCode =
        OrderTimeoutApp.run(
            AppConfig.parse(args.toArray(String[]::new), Map.of()),
            new PrintStream(report, true, StandardCharsets.UTF_8));
    return new Run(exitCode, report.toString(StandardCharsets.UTF_8));
  }
}
