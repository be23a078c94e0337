package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The database restarts under a draining relay (child JVM): a fast shutdown, then an immediate one
 * (a crash: no checkpoint, WAL recovery on start). The relay reconnects through its pool; messages
 * written after the restarts are delivered too.
 */
class PostgresRestartChaosTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void a_relay_survives_postgres_restarts_without_loss() throws Exception {
    int messages = Scale.of(4_000, 20_000);
    int rounds = Scale.of(1, 3);
    RelayNode.Settings settings = RelayNode.Settings.steady();
    try (ChaosRun run = new ChaosRun("postgres-restart")) {
      run.write(messages, 100);
      ChildJvm relay = run.relay("pg-restart-relay", ChaosRun.amqpUri(), settings);
      int restarts = 0;
      for (int round = 0; round < rounds; round++) {
        for (ChaosPostgres.Stop how : ChaosPostgres.Stop.values()) {
          restarts++;
          run.awaitDelivered(messages * restarts / (2 * rounds + 2), Duration.ofMinutes(2));
          run.db.restart(how);
        }
      }
      run.write(messages / 4, 100);
      run.awaitDrained(Duration.ofMinutes(3));
      assertThat(relay.isAlive()).as("the relay lived through the restarts").isTrue();
      run.judge(restarts * settings.inFlight());
      assertThat(run.outboxRows()).as("outbox drained").isZero();
    }
  }
}
