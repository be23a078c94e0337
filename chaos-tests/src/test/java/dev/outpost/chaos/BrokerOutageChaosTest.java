package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * RabbitMQ unreachable (a TCP proxy in the test JVM cuts every connection and refuses new ones) for
 * much longer than the relay's retry budget. An outage is not the messages' fault: nothing may be
 * dead-lettered or lost, and the backlog drains once the broker answers again.
 */
class BrokerOutageChaosTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void a_broker_outage_longer_than_the_retry_budget_dead_letters_nothing() throws Exception {
    int messages = Scale.of(3_000, 20_000);
    Duration outage = Duration.ofSeconds(Scale.of(10, 90));
    // Retry budget: 3 attempts, backoff 100 ms doubling to at most 400 ms, well under a second.
    RelayNode.Settings settings = RelayNode.Settings.steady().withRetryBudget(3, 100, 400);
    URI broker = URI.create(ChaosRun.amqpUri());
    try (TcpProxy proxy = new TcpProxy(broker.getHost(), port(broker));
        ChaosRun run = new ChaosRun("broker-outage")) {
      String viaProxy =
          broker.getScheme()
              + "://"
              + (broker.getRawUserInfo() == null ? "" : broker.getRawUserInfo() + "@")
              + "127.0.0.1:"
              + proxy.port()
              + broker.getRawPath();
      run.write(messages, 100);
      run.relay("outage-relay", viaProxy, settings);
      run.awaitDelivered(messages / 4, Duration.ofMinutes(2));

      proxy.cut();
      int atCut = run.delivered();
      // Nothing gets through for the whole outage (waits exactly as long as the outage lasts).
      await()
          .during(outage)
          .atMost(outage.plusSeconds(10))
          .until(() -> run.delivered() <= atCut + settings.inFlight());
      proxy.restore();
      long restored = System.nanoTime();

      // When the broker answers again every key resumes at once: the backlog drains in seconds.
      run.awaitDrained(Duration.ofSeconds(30));
      Duration drain = Duration.ofNanos(System.nanoTime() - restored);
      System.out.printf(
          "CHAOS broker-outage: outage %d s, retry budget < 1 s, drained %.1f s after the broker"
              + " returned%n",
          outage.toSeconds(), drain.toMillis() / 1000.0);
      run.judge(2 * settings.inFlight());
      assertThat(run.outboxRows()).as("outbox drained").isZero();
    }
  }

  private static int port(URI uri) {
    return uri.getPort() > 0 ? uri.getPort() : 5672;
  }
}
