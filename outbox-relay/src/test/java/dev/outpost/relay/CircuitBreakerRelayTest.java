package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.outbox.Outbox;
import dev.outpost.relay.internal.DefaultRelay;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * An unavailable destination pauses the relay without spending attempts, for however long, and
 * every key resumes as soon as a probe answers; driven by runOnce and a mutable clock.
 */
@ExtendWith(OutpostDatabaseExtension.class)
class CircuitBreakerRelayTest {

  private final MutableClock clock = MutableClock.atSystemTime();
  private TestDatabase db;
  private Messages messages;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.messages = new Messages(db.dataSource(), Outbox.builder().partitions(2).build());
  }

  private Relay.Builder relay(Publisher publisher) {
    return Relay.builder()
        .dataSource(db.dataSource())
        .publisher(publisher)
        .partitions(2)
        .listen(false)
        .clock(clock)
        .backoffBase(Duration.ofMillis(100))
        .backoffJitter(0)
        .maxAttempts(2)
        .probeInterval(Duration.ofSeconds(1));
  }

  private long rows(String where) {
    return db.queryLong("SELECT count(*) FROM outbox_message WHERE " + where);
  }

  @Test
  void an_outage_longer_than_the_retry_budget_spends_no_attempt_and_dead_letters_nothing() {
    RecordingPublisher publisher = new RecordingPublisher().probeSupported(true).down();
    messages.sendSpread("t", 40, 10);
    try (Relay relay = relay(publisher).build()) {
      relay.runOnce();
      RelayHealth health = relay.health();
      assertThat(health.brokerUnavailableSince()).isEqualTo(clock.instant());
      assertThat(health.problems()).anyMatch(p -> p.startsWith("broker unavailable since"));

      int attemptsWhileDown = publisher.attempts();
      // An hour of outage: far beyond 2 attempts with 100 ms backoff.
      for (int i = 0; i < 3600; i += 60) {
        clock.advance(Duration.ofSeconds(60));
        assertThat(relay.runOnce()).isZero();
      }
      assertThat(publisher.attempts())
          .as("while down only the probe asks, no message is published")
          .isEqualTo(attemptsWhileDown);
      assertThat(publisher.probes()).isEqualTo(60);
      assertThat(rows("attempts > 0")).isZero();
      assertThat(relay.deadLetters().count(DeadLetterFilter.all())).isZero();

      publisher.up();
      clock.advance(Duration.ofSeconds(1));
      assertThat(relay.runOnce()).as("every key resumes at once").isEqualTo(40);
      assertThat(relay.health().brokerUnavailableSince()).isNull();
      assertThat(relay.health().problems()).isEmpty();
    }
    assertThat(rows("true")).isZero();
    assertThat(publisher.count()).isEqualTo(40);
  }

  @Test
  void without_a_probe_the_head_message_is_the_probe() {
    RecordingPublisher publisher = new RecordingPublisher().down();
    messages.sendSpread("t", 20, 4);
    try (Relay relay = relay(publisher).build()) {
      relay.runOnce();
      int before = publisher.attempts();
      clock.advance(Duration.ofMillis(500));
      relay.runOnce();
      assertThat(publisher.attempts()).as("not yet time to probe").isEqualTo(before);
      clock.advance(Duration.ofMillis(500));
      relay.runOnce();
      assertThat(publisher.attempts()).as("one head message as the probe").isEqualTo(before + 1);
      assertThat(rows("attempts > 0")).isZero();

      publisher.up();
      clock.advance(Duration.ofSeconds(1));
      int published = relay.runOnce();
      assertThat(published).isGreaterThanOrEqualTo(1);
      published += relay.runOnce();
      assertThat(published).isEqualTo(20);
      assertThat(relay.deadLetters().count(DeadLetterFilter.all())).isZero();
    }
  }

  @Test
  void message_failures_keep_their_retry_budget_while_the_breaker_stays_closed() {
    RecordingPublisher publisher = new RecordingPublisher().alwaysFailKey("k0");
    messages.send("t", "k0", "x");
    messages.send("t", "k1", "y");
    try (Relay relay = relay(publisher).build()) {
      assertThat(relay.runOnce()).isEqualTo(1);
      clock.advance(Duration.ofMillis(100));
      relay.runOnce();
      assertThat(relay.deadLetters().count(DeadLetterFilter.all())).isEqualTo(1);
      assertThat(relay.health().brokerUnavailableSince()).isNull();
    }
  }

  @Test
  void a_whole_batch_timing_out_while_the_probe_gets_no_answer_counts_as_unavailable() {
    Publisher silent =
        new Publisher() {
          @Override
          public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
            return new CompletableFuture<>();
          }

          @Override
          public Availability probe(Duration timeout) {
            return Availability.UNAVAILABLE;
          }
        };
    messages.sendSpread("t", 10, 2);
    try (Relay relay = relay(silent).publishTimeout(Duration.ofMillis(50)).build()) {
      relay.runOnce();
      assertThat(relay.health().brokerUnavailableSince()).isNotNull();
      assertThat(rows("attempts > 0")).isZero();
    }
  }

  @Test
  void a_whole_batch_timing_out_while_the_destination_answers_is_a_message_failure() {
    Publisher silent =
        new Publisher() {
          @Override
          public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
            return new CompletableFuture<>();
          }

          @Override
          public Availability probe(Duration timeout) {
            return Availability.AVAILABLE;
          }
        };
    messages.send("t", "k", "x");
    try (Relay relay = relay(silent).publishTimeout(Duration.ofMillis(50)).build()) {
      relay.runOnce();
      assertThat(relay.health().brokerUnavailableSince()).isNull();
      assertThat(rows("attempts = 1")).isEqualTo(1);
    }
  }

  @Test
  void a_flapping_destination_is_logged_at_most_once_a_minute_and_a_lasting_outage_again() {
    Logger logger = (Logger) LoggerFactory.getLogger(DefaultRelay.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    RecordingPublisher publisher = new RecordingPublisher().probeSupported(true).down();
    messages.sendSpread("t", 200, 10);
    try (Relay relay = relay(publisher).batchSize(1).build()) {
      relay.runOnce();
      for (int i = 0; i < 5; i++) {
        publisher.up();
        clock.advance(Duration.ofSeconds(1));
        relay.runOnce();
        publisher.down();
        clock.advance(Duration.ofSeconds(1));
        relay.runOnce();
      }
      assertThat(warnings(appender, "is unavailable")).hasSize(1);
      assertThat(warnings(appender, "available again")).hasSize(1);

      clock.advance(Duration.ofMinutes(1));
      relay.runOnce();
      assertThat(warnings(appender, "is unavailable since")).hasSize(1);
      assertThat(rows("attempts > 0")).isZero();
    } finally {
      logger.detachAppender(appender);
    }
  }

  private static List<String> warnings(ListAppender<ILoggingEvent> appender, String text) {
    return appender.list.stream()
        .filter(e -> e.getLevel() == Level.WARN)
        .map(ILoggingEvent::getFormattedMessage)
        .filter(m -> m.contains(text))
        .toList();
  }
}
