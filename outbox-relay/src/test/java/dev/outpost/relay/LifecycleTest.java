package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.Outbox;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class LifecycleTest {

  private static Relay.Builder relay(TestDatabase db, Publisher publisher) {
    return Relay.builder().dataSource(db.dataSource()).publisher(publisher);
  }

  private static long relayThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.isAlive() && t.getName().startsWith("outpost-relay"))
        .count();
  }

  @Test
  void close_without_start_is_harmless_and_idempotent(TestDatabase db) {
    Relay relay = relay(db, new RecordingPublisher()).build();

    relay.close();
    relay.close();

    assertThat(relay.health().state()).isEqualTo(RelayHealth.State.CLOSED);
    assertThat(db.queryLong("SELECT count(*) FROM relay_instance")).isZero();
  }

  @Test
  void refuses_to_start_twice_to_start_after_close_and_to_run_once_while_started(TestDatabase db) {
    try (Relay relay = relay(db, new RecordingPublisher()).build()) {
      relay.start();
      assertThatThrownBy(relay::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("is RUNNING; start() works once");
      assertThatThrownBy(relay::runOnce)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("runOnce() drives a relay that was not started");
      relay.close();
      assertThatThrownBy(relay::start).hasMessageContaining("is CLOSED");
    }
  }

  @Test
  void repeated_and_concurrent_start_and_close_leave_no_threads_or_leases(TestDatabase db)
      throws Exception {
    for (int round = 0; round < 5; round++) {
      Relay relay = relay(db, new RecordingPublisher()).build();
      relay.start();
      List<Thread> closers = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        Thread closer = new Thread(relay::close);
        closers.add(closer);
        closer.start();
      }
      for (Thread closer : closers) {
        closer.join(TimeUnit.SECONDS.toMillis(30));
      }
      assertThat(relay.health().state()).isEqualTo(RelayHealth.State.CLOSED);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> relayThreads() == 0);
    assertThat(db.queryLong("SELECT count(*) FROM relay_lease WHERE owner IS NOT NULL")).isZero();
    assertThat(db.queryLong("SELECT count(*) FROM relay_instance")).isZero();
  }

  @Test
  void graceful_close_finishes_the_in_flight_batch_and_releases_the_lease(TestDatabase db)
      throws Exception {
    List<UUID> committed =
        new Messages(db.dataSource(), Outbox.builder().partitions(1).build())
            .sendSpread("t", 30, 3);
    RecordingPublisher recorder = new RecordingPublisher();
    CountDownLatch inBatch = new CountDownLatch(1);
    CountDownLatch proceed = new CountDownLatch(1);
    Publisher blocking =
        batch -> {
          inBatch.countDown();
          try {
            proceed.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return recorder.publish(batch);
        };
    Relay relay = relay(db, blocking).partitions(1).batchSize(10).build();
    relay.start();
    assertThat(inBatch.await(20, TimeUnit.SECONDS)).isTrue();

    Thread closer = new Thread(relay::close);
    closer.start();
    await().until(() -> relay.health().state() == RelayHealth.State.CLOSING);
    proceed.countDown();
    closer.join(TimeUnit.SECONDS.toMillis(30));

    assertThat(relay.health().state()).isEqualTo(RelayHealth.State.CLOSED);
    assertThat(recorder.count()).as("no batch starts after close()").isEqualTo(10);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isEqualTo(20);
    assertThat(db.queryLong("SELECT count(*) FROM relay_lease WHERE owner IS NOT NULL")).isZero();

    try (Relay next = relay(db, recorder).partitions(1).listen(false).build()) {
      while (next.runOnce() > 0) {
        // drain
      }
    }
    assertThat(new HashSet<>(recorder.messageIds())).hasSize(30).containsAll(committed);
    assertThat(recorder.count()).as("no duplicates").isEqualTo(30);
  }

  @Test
  void abandons_a_batch_without_outcome_after_the_shutdown_timeout_and_keeps_its_rows(
      TestDatabase db) throws Exception {
    new Messages(db.dataSource(), Outbox.builder().partitions(1).build()).sendSpread("t", 5, 1);
    CountDownLatch published = new CountDownLatch(1);
    Publisher silent =
        batch -> {
          published.countDown();
          return new CompletableFuture<>();
        };
    Relay relay =
        relay(db, silent)
            .partitions(1)
            .shutdownTimeout(Duration.ofMillis(200))
            .publishTimeout(Duration.ofMinutes(5))
            .instanceId("abandoning")
            .build();
    relay.start();
    assertThat(published.await(20, TimeUnit.SECONDS)).isTrue();

    relay.close();

    assertThat(relay.health().state()).isEqualTo(RelayHealth.State.CLOSED);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message WHERE attempts = 0")).isEqualTo(5);
    assertThat(db.queryLong("SELECT count(*) FROM relay_lease WHERE owner = 'abandoning'"))
        .as("the abandoned partition's lease is left to expire")
        .isEqualTo(1);
  }

  @Test
  void restores_the_interrupt_flag_when_closed_from_an_interrupted_thread(TestDatabase db) {
    Relay relay = relay(db, new RecordingPublisher()).build();
    relay.start();

    Thread.currentThread().interrupt();
    relay.close();

    assertThat(Thread.interrupted()).isTrue();
    assertThat(relay.health().state()).isEqualTo(RelayHealth.State.CLOSED);
  }
}
