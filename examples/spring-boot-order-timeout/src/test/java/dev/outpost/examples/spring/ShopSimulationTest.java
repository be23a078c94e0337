package dev.outpost.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The Spring Boot shop against a real PostgreSQL (the test fixture's), with short timeouts, paying
 * a share of the orders (some racing their timeout) and repeating a share of the deliveries: the
 * same invariants as the plain example's simulation must hold.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.NONE,
    properties = {
      "shop.order-timeout=2s",
      "shop.pay-share=0.6",
      "shop.duplicate-share=0.2",
      "shop.rate=200",
      "shop.seed=7",
      "shop.settle-timeout=60s",
      "outpost.relay.poll-interval=100ms",
      "outpost.delay.sweep-interval=100ms"
    })
@DirtiesContext // stop relay and Quartz before the fixture's database stops at JVM exit
@Timeout(180)
class ShopSimulationTest {

  static final TestDatabase db = OutpostPostgres.shared();

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    registry.add("spring.datasource.url", db::jdbcUrl);
    registry.add("spring.datasource.username", db::user);
    registry.add("spring.datasource.password", db::password);
    registry.add("outpost.schema", db::schema);
  }

  @Autowired Simulation simulation;
  @Autowired Invariants invariants;
  @Autowired Consumers consumers;

  @Test
  void everyOrderIsPaidXorReleasedStockIsConservedAndNoMessageIsLost() throws Exception {
    ByteArrayOutputStream report = new ByteArrayOutputStream();
    boolean ok = simulation.simulate(600, new PrintStream(report, true, StandardCharsets.UTF_8));

    String text = report.toString(StandardCharsets.UTF_8);
    assertThat(invariants.check())
        .allSatisfy(c -> assertThat(c.holds()).as(c.description()).isTrue());
    assertThat(ok).as(text).isTrue();
    assertThat(Handlers.duplicatesInjected.get()).isPositive();
    assertThat(consumers.duplicatesSkipped())
        .isGreaterThanOrEqualTo(Handlers.duplicatesInjected.get());
    assertThat(db.queryLong("SELECT count(*) FROM orders WHERE status = 'PAID'")).isPositive();
    assertThat(db.queryLong("SELECT count(*) FROM orders WHERE status = 'CANCELLED'")).isPositive();
    assertThat(db.queryLong("SELECT count(*) FROM orders")).isEqualTo(600);
  }
}
