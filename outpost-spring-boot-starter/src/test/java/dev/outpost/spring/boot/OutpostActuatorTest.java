package dev.outpost.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.MessageRejectedException;
import dev.outpost.spring.boot.actuate.OutpostEndpoint;
import dev.outpost.spring.boot.actuate.OutpostHealthIndicator;
import dev.outpost.testing.TestDatabase;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.actuate.endpoint.InvalidEndpointRequestException;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Bean;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** The health indicator, the {@code outpost} endpoint and the meters in Boot's registry. */
@SpringBootTest(classes = OutpostActuatorTest.App.class)
@DirtiesContext
@Timeout(120)
class OutpostActuatorTest {

  static final String POISON = "sb.poison";

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    for (String p :
        StarterTestDatabase.properties(
            "outpost.relay.poll-interval=100ms",
            "management.endpoints.web.exposure.include=health,outpost",
            "management.endpoint.health.show-details=always")) {
      int eq = p.indexOf('=');
      registry.add(p.substring(0, eq), () -> p.substring(eq + 1));
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {
    @Bean
    OutpostHandler poison() {
      return OutpostHandler.of(
          POISON,
          m -> {
            throw new MessageRejectedException("never accepted");
          });
    }
  }

  final TestDatabase db = StarterTestDatabase.db();
  @Autowired OutpostHealthIndicator health;
  @Autowired OutpostEndpoint endpoint;
  @Autowired DeadLetters deadLetters;
  @Autowired SpringOutbox outbox;
  @Autowired SpringDelayScheduler delays;
  @Autowired TransactionTemplate transactions;
  @Autowired MeterRegistry meters;

  @BeforeEach
  void clean() {
    deadLetters.purge(DeadLetterFilter.all());
    db.execute("DELETE FROM " + db.qualified("delayed_message"));
  }

  @Test
  void healthIsUpWithTheRelayAndTheSweepRunning() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> health.health().getStatus().equals(Status.UP));
    Health h = health.health();
    assertThat(h.getDetails()).containsKeys("relay", "delayScheduler");
    @SuppressWarnings("unchecked")
    Map<String, Object> relay = (Map<String, Object>) h.getDetails().get("relay");
    assertThat(relay).containsEntry("status", "UP").containsEntry("state", "RUNNING");
  }

  @Test
  void endpointListsReplaysAndPurgesDeadLettersAndShowsDelayedMessages() {
    UUID id =
        transactions.execute(
            s -> {
              delays.schedule(
                  OutboxMessage.to("sb.later").key("k").payload("x").build(),
                  Duration.ofHours(2),
                  "later-1");
              return outbox.send(OutboxMessage.to(POISON).key("p").payload("bad").build());
            });
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> deadLetters.count(DeadLetterFilter.all()) == 1);

    Map<String, Object> overview = endpoint.overview();
    assertThat(overview.get("deadLetters")).isEqualTo(Map.of("count", 1L));
    @SuppressWarnings("unchecked")
    Map<String, Object> delayed = (Map<String, Object>) overview.get("delayed");
    assertThat(delayed.get("pending")).isEqualTo(1L);
    assertThat(delayed.get("nextDueAt")).isNotNull();
    assertThat(overview).containsKeys("outbox", "relay", "components");

    Map<String, Object> page = endpoint.deadLetters("dead-letters", POISON, null, null);
    assertThat(page.get("count")).isEqualTo(1L);
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> rows = (List<Map<String, Object>>) page.get("deadLetters");
    assertThat(rows)
        .singleElement()
        .satisfies(r -> assertThat(r.get("messageId")).isEqualTo(id.toString()));

    // Replayed, it is rejected again and comes back; purged, it is gone.
    assertThat(endpoint.replay("dead-letters", null, id.toString()))
        .isEqualTo(Map.of("replayed", 1));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> deadLetters.count(DeadLetterFilter.all()) == 1);
    assertThatThrownBy(() -> endpoint.purge("dead-letters", null, null, null))
        .isInstanceOf(InvalidEndpointRequestException.class)
        .hasMessageContaining("all=true");
    assertThat(endpoint.purge("dead-letters", POISON, null, null)).isEqualTo(Map.of("purged", 1));
    assertThat(deadLetters.count(DeadLetterFilter.all())).isZero();
  }

  @Test
  void backlogPerPartitionIsShownWhileMessagesWait() {
    // A message of a key parked behind a dead letter waits in the outbox: the backlog shows it.
    transactions.executeWithoutResult(
        s -> outbox.send(OutboxMessage.to(POISON).key("parked").payload("1").build()));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> deadLetters.count(DeadLetterFilter.all()) == 1);
    transactions.executeWithoutResult(
        s -> outbox.send(OutboxMessage.to(POISON).key("parked").payload("2").build()));

    @SuppressWarnings("unchecked")
    Map<String, Object> outboxView = (Map<String, Object>) endpoint.overview().get("outbox");
    assertThat(outboxView.get("backlog")).isEqualTo(1L);
    assertThat((List<?>) outboxView.get("partitions")).hasSize(1);
    deadLetters.purge(DeadLetterFilter.all());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> deadLetters.count(DeadLetterFilter.all()) == 1); // the second one, rejected
  }

  @Test
  void relayMetersAreInBootsRegistry() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> meters.find("outpost.relay.backlog").gauge() != null);
    assertThat(meters.find("outpost.relay.partitions.owned").gauge()).isNotNull();
    assertThat(meters.find("outpost.outbox.written").counter()).isNotNull();
    assertThat(meters.find("outpost.dedup.purged").counter()).isNotNull();
  }
}
