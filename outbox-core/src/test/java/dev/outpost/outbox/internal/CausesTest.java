package dev.outpost.outbox.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class CausesTest {

  @Test
  void names_the_root_cause_a_pool_timeout_hides() {
    SQLException driver = new SQLException("FATAL: password authentication failed for user \"x\"");
    SQLException pool =
        new SQLTransientConnectionException(
            "pool - Connection is not available, request timed out after 1000ms", null, driver);

    assertThat(Causes.describe(pool))
        .contains("Connection is not available")
        .contains("password authentication failed");
  }

  @Test
  void does_not_repeat_a_cause_already_in_the_message() {
    SQLException driver = new SQLException("connection refused");
    RuntimeException wrapped =
        new RuntimeException("could not connect: connection refused", driver);

    assertThat(Causes.describe(wrapped)).isEqualTo("could not connect: connection refused");
    assertThat(Causes.describe(driver)).isEqualTo("connection refused");
  }
}
