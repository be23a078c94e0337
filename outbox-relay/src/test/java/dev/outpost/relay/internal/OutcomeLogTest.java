package dev.outpost.relay.internal;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class OutcomeLogTest {

  private final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
  private final Logger logger = (Logger) LoggerFactory.getLogger(OutcomeLog.class);
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final OutcomeLog log = new OutcomeLog("relay-1");

  @BeforeEach
  void attach() {
    appender.start();
    logger.addAppender(appender);
  }

  @AfterEach
  void detach() {
    logger.detachAppender(appender);
  }

  @Test
  void logs_the_first_dead_letter_at_once_then_aggregates_per_topic_per_minute() {
    log.deadLettered("orders", 1, "too large", clock.instant());
    assertThat(appender.list).hasSize(1);
    assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.WARN);
    assertThat(appender.list.get(0).getFormattedMessage())
        .contains("1 message(s) of topic 'orders'")
        .contains("too large");

    for (int i = 0; i < 100; i++) {
      clock.advance(Duration.ofMillis(100));
      log.deadLettered("orders", 2, "nack", clock.instant());
      log.deadLettered("payments", 1, "unroutable", clock.instant());
    }
    assertThat(appender.list).as("rate-limited: nothing more within the minute").hasSize(1);

    clock.advance(Duration.ofSeconds(50));
    log.flushIfDue(clock.instant());
    assertThat(appender.list).hasSize(3);
    assertThat(appender.list.get(1).getFormattedMessage())
        .contains("200 message(s) of topic 'orders'");
    assertThat(appender.list.get(2).getFormattedMessage())
        .contains("100 message(s) of topic 'payments'");
  }

  @Test
  void tells_at_info_when_messages_got_through_after_failed_attempts() {
    log.recovered("orders", 3, clock.instant());

    assertThat(appender.list)
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.INFO);
              assertThat(e.getFormattedMessage()).contains("3 message(s) of topic 'orders'");
            });
  }
}
