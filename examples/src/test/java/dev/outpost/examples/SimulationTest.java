package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SimulationTest {

  private final TestDatabase db = OutpostPostgres.shared();

  @Test
  void simulated_orders_end_paid_or_released_once_with_duplicates_skipped() throws Exception {
    OrderLedger ledger = new OrderLedger(db, "example_sim");
    ledger.reset();
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    AppConfig config =
        AppConfig.parse(
            new String[] {
              "--jdbc-url", db.jdbcUrl(),
              "--jdbc-user", db.user(),
              "--jdbc-password", db.password(),
              "--schema", "example_sim",
              "--simulate", "300",
              "--rate", "300",
              "--order-timeout", "1s",
              "--duplicate-share", "0.2",
              "--seed", "42"
            },
            Map.of());

    int exitCode =
        OrderTimeoutApp.run(config, new PrintStream(report, true, StandardCharsets.UTF_8));

    String output = report.toString(StandardCharsets.UTF_8);
    assertThat(output).contains("RESULT: all invariants hold").doesNotContain("FAILED");
    assertThat(exitCode).isZero();
    assertThat(ledger.orders()).isEqualTo(300);
    ledger.assertSettledAndBalanced();
    Matcher duplicates =
        Pattern.compile("duplicates\\s+(\\d+) injected, (\\d+) skipped").matcher(output);
    assertThat(duplicates.find()).as("duplicates line in:%n%s", output).isTrue();
    long injected = Long.parseLong(duplicates.group(1));
    long skipped = Long.parseLong(duplicates.group(2));
    assertThat(injected).isPositive();
    assertThat(skipped).isGreaterThanOrEqualTo(injected);
  }
}
