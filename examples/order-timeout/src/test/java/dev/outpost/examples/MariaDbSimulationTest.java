package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.OutpostMariaDb;
import dev.outpost.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The whole app on MariaDB, end to end: {@code --simulate} with the relay and the delay scheduler
 * on MySQL/MariaDB, checked from the tables independently of the app's own report.
 */
class MariaDbSimulationTest {

  private final TestDatabase db = OutpostMariaDb.shared();
  // A database of its own on the shared server, named after this JVM's test database.
  private final String schema = db.schema() + "_sim";
  private final OrderLedger ledger = new OrderLedger(db, schema);

  @AfterEach
  void dropDatabase() {
    ledger.reset();
  }

  @Test
  @Timeout(300)
  void simulated_orders_end_paid_or_released_once_on_mariadb() throws Exception {
    ledger.reset();
    int orders = 300;

    ByteArrayOutputStream report = new ByteArrayOutputStream();
    int exitCode =
        OrderTimeoutApp.run(
            AppConfig.parse(
                new String[] {
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
                  "0.2",
                  "--simulate",
                  String.valueOf(orders),
                  "--rate",
                  "300",
                  "--seed",
                  "42"
                },
                Map.of()),
            new PrintStream(report, true, StandardCharsets.UTF_8));
    String output = report.toString(StandardCharsets.UTF_8);
    System.out.println(output);

    assertThat(output).contains("RESULT: all invariants hold").doesNotContain("FAILED");
    assertThat(exitCode).isZero();
    assertThat(ledger.orders()).isEqualTo(orders);
    ledger.assertSettledAndBalanced();
    Matcher duplicates =
        Pattern.compile("duplicates\\s+(\\d+) injected, (\\d+) skipped").matcher(output);
    assertThat(duplicates.find()).as("duplicates line in:%n%s", output).isTrue();
    assertThat(Long.parseLong(duplicates.group(1))).isPositive();
    assertThat(Long.parseLong(duplicates.group(2)))
        .isGreaterThanOrEqualTo(Long.parseLong(duplicates.group(1)));
  }
}
