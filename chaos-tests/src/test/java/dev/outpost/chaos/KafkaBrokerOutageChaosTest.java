package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.testing.EmbeddedKafka;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Kafka broker (inside the test JVM) stopped and started again under a relay in a child JVM,
 * down for much longer than the relay's retry budget: nothing dead-lettered, nothing lost, per-key
 * order kept, the backlog drained soon after the broker is back.
 */
class KafkaBrokerOutageChaosTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void a_kafka_broker_outage_longer_than_the_retry_budget_dead_letters_nothing() throws Exception {
    int messages = Scale.of(3_000, 20_000);
    Duration outage = Duration.ofSeconds(Scale.of(10, 90));
    // Retry budget: 3 attempts, backoff 100 ms doubling to at most 400 ms; a send fails after 3 s.
    RelayNode.Settings settings = RelayNode.Settings.steady().withRetryBudget(3, 100, 400);
    try (EmbeddedKafka kafka = EmbeddedKafka.start();
        ChaosRun run = new ChaosRun("kafka-outage", kafka)) {
      run.write(messages, 100);
      run.relay("kafka-outage-relay", RelayNode.KAFKA + kafka.bootstrapServers(), settings);
      run.awaitDelivered(messages / 4, Duration.ofMinutes(2));

      kafka.stopBroker();
      int atStop = run.delivered();
      // Nothing gets through while the broker is down (waits as long as the outage lasts).
      await()
          .during(outage)
          .atMost(outage.plusSeconds(10))
          .until(() -> run.delivered() <= atStop + settings.inFlight());
      kafka.startBroker();
      long restarted = System.nanoTime();

      run.awaitDrained(Duration.ofSeconds(60));
      System.out.printf(
          "CHAOS kafka-outage: outage %d s, retry budget < 1 s (+ 3 s send timeout), drained %.1f s"
              + " after the broker returned%n",
          outage.toSeconds(), (System.nanoTime() - restarted) / 1e9);
      run.judge(2 * settings.inFlight());
      assertThat(run.outboxRows()).as("outbox drained").isZero();
    }
  }
}
