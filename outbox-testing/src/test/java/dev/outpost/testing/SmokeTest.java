package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmokeTest {
  @Test
  void starts() {
    TestDatabase db = OutpostPostgres.shared();
    assertThat(db.queryLong("select count(*) from outbox_message")).isZero();
  }
}
