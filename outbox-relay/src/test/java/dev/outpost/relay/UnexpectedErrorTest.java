package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.outpost.outbox.Outbox;
import dev.outpost.relay.internal.DefaultRelay;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/** An Error in a partition's cycle is logged, leaves the rows as they were, and shows in health. */
@ExtendWith(OutpostDatabaseExtension.class)
class UnexpectedErrorTest {

  @Test
  @Timeout(60)
  void an_error_thrown_by_the_publisher_degrades_health_and_the_partition_goes_on(TestDatabase db) {
    RecordingPublisher delegate = new RecordingPublisher();
    AtomicBoolean broken = new AtomicBoolean(true);
    Publisher publisher =
        new Publisher() {
          @Override
          public CompletionStage<List<PublishResult>> publish(List<RelayMessage> batch) {
            if (broken.get()) {
              throw new OutOfMemoryError("simulated: Java heap space");
            }
            return delegate.publish(batch);
          }
        };
    Messages messages = new Messages(db.dataSource(), Outbox.builder().partitions(1).build());
    messages.sendSpread("t", 30, 3);

    Logger logger = (Logger) LoggerFactory.getLogger(DefaultRelay.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try (Relay relay =
        Relay.builder()
            .dataSource(db.dataSource())
            .publisher(publisher)
            .partitions(1)
            .listen(false)
            .pollInterval(Duration.ofMillis(50))
            .maxAttempts(1)
            .build()) {
      relay.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> relay.health().state() == RelayHealth.State.DEGRADED);
      assertThat(relay.health().problems())
          .anyMatch(p -> p.contains("partition 0 failing") && p.contains("OutOfMemoryError"));
      assertThat(appender.list)
          .anyMatch(
              e ->
                  e.getLevel() == Level.WARN
                      && e.getThrowableProxy() != null
                      && e.getThrowableProxy().getClassName().endsWith("OutOfMemoryError"));
      assertThat(db.queryLong("SELECT count(*) FROM outbox_message WHERE attempts = 0"))
          .as("the window's rows are left as they were")
          .isEqualTo(30);

      broken.set(false);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> db.queryLong("SELECT count(*) FROM outbox_message") == 0);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> relay.health().state() == RelayHealth.State.RUNNING);
      assertThat(relay.deadLetters().count(DeadLetterFilter.all())).isZero();
    } finally {
      logger.detachAppender(appender);
    }
    assertThat(delegate.count()).isEqualTo(30);
  }
}
