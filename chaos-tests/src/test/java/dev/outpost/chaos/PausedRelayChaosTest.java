package dev.outpost.chaos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Two relays share the partitions; one is frozen (SIGSTOP) mid-drain past its lease, the other
 * takes its partitions over, then the frozen one resumes (SIGCONT) with stale leases. Its fencing
 * token is refused: it notices the takeover, publishes nothing out of order, deletes nothing.
 */
class PausedRelayChaosTest {

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void a_relay_paused_past_its_lease_is_fenced_off_when_it_resumes() throws Exception {
    int messages = Scale.of(4_000, 20_000);
    int pauses = Scale.of(1, 3);
    RelayNode.Settings settings = RelayNode.Settings.steady().withLease(2_000);
    try (ChaosRun run = new ChaosRun("paused-relay")) {
      run.write(messages, 100);
      ChildJvm frozen = run.relay("paused-a", ChaosRun.amqpUri(), settings);
      run.relay("paused-b", ChaosRun.amqpUri(), settings);
      await()
          .atMost(Duration.ofMinutes(2))
          .until(
              () ->
                  run.db.queryLong(
                          "SELECT count(DISTINCT owner) FROM relay_lease"
                              + " WHERE expires_at > now()")
                      == 2);
      for (int pause = 1; pause <= pauses; pause++) {
        run.awaitDelivered(messages * pause / (pauses + 2), Duration.ofMinutes(2));
        frozen.pause();
        // Past its lease: none of its leases is valid any more, and the other relay owns every
        // partition except those whose lease row the frozen one still locks (a batch's outcome
        // being recorded when it froze; SKIP LOCKED passes over them until it resumes).
        await()
            .atMost(Duration.ofMinutes(1))
            .until(
                () ->
                    run.db.queryLong(
                                "SELECT count(*) FROM relay_lease"
                                    + " WHERE owner = 'paused-a' AND expires_at > now()")
                            == 0
                        && run.db.queryLong(
                                "SELECT count(*) FROM relay_lease"
                                    + " WHERE owner IS DISTINCT FROM 'paused-b'"
                                    + " OR expires_at <= now()")
                            <= settings.threads());
        int before = run.delivered();
        run.awaitDelivered(before + settings.inFlight(), Duration.ofMinutes(1));
        frozen.resume();
        await().atMost(Duration.ofMinutes(1)).until(() -> frozen.printed("taken over"));
      }
      run.awaitDrained(Duration.ofMinutes(3));
      System.out.println(
          "CHAOS paused-relay: the resumed relay "
              + (frozen.printed("is stale")
                  ? "had a delete refused by its stale fencing token"
                  : "saw its leases taken over before its next delete"));
      run.judge(pauses * settings.inFlight());
      assertThat(run.outboxRows()).as("outbox drained").isZero();
    }
  }
}
