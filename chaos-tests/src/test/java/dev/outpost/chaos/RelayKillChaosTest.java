package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Relays in child JVMs killed with SIGKILL mid-drain, again and again; each time a new relay
 * starts. Nothing is lost, nothing unexpected, per-key order holds, and duplicates stay within the
 * batches in flight at each kill.
 */
class RelayKillChaosTest {

  @Test
  @Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES)
  void relays_killed_mid_drain_lose_nothing_and_keep_key_order() throws Exception {
    int messages = Scale.of(4_000, 20_000);
    int kills = Scale.of(3, 5);
    RelayNode.Settings settings = RelayNode.Settings.steady();
    try (ChaosRun run = new ChaosRun("relay-kill")) {
      run.write(messages, 100);
      ChildJvm relay = run.relay("relay-kill-0", ChaosRun.amqpUri(), settings);
      for (int kill = 1; kill <= kills; kill++) {
        run.awaitDelivered(messages * kill / (kills + 2), Duration.ofMinutes(2));
        assertThat(relay.isAlive()).as("relay alive when killed").isTrue();
        relay.kill();
        relay = run.relay("relay-kill-" + kill, ChaosRun.amqpUri(), settings);
      }
      run.awaitDrained(Duration.ofMinutes(3));
      run.judge(kills * settings.inFlight());
      assertThat(run.outboxRows()).as("outbox drained").isZero();
    }
  }
}
