package dev.outpost.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.relay.testing.RecordingPublisher;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class MultiRelayTest {

  @Test
  void three_relays_deliver_ten_thousand_messages_once_each_in_key_order(TestDatabase db) {
    RecordingPublisher publisher = new RecordingPublisher();
    List<HikariDataSource> pools = new ArrayList<>();
    List<Relay> relays = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        HikariDataSource pool = db.newDataSource(7, "relay-" + i);
        pools.add(pool);
        Relay relay =
            Relay.builder()
                .dataSource(pool)
                .publisher(publisher)
                .instanceId("relay-" + i)
                .leaseDuration(Duration.ofSeconds(3))
                .batchSize(200)
                .build();
        relays.add(relay);
        relay.start();
      }
      List<UUID> committed = new Messages(db.dataSource()).sendSpread("orders", 10_000, 100);

      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> publisher.count() >= 10_000 && backlog(db) == 0);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                Set<Integer> all = new HashSet<>();
                for (Relay relay : relays) {
                  Set<Integer> owned = relay.health().ownedPartitions();
                  assertThat(owned).as(relay.config().instanceId()).isNotEmpty();
                  assertThat(owned).hasSizeLessThanOrEqualTo(6);
                  all.addAll(owned);
                }
                assertThat(all).hasSize(16);
              });

      List<Deliveries.Delivery> history =
          publisher.messages().stream()
              .map(
                  m ->
                      new Deliveries.Delivery(
                          m.messageId(), m.key(), Long.parseLong(Messages.payload(m))))
              .toList();
      int duplicates = Deliveries.check(committed, history);
      assertThat(duplicates).as("duplicates while leases are stable").isZero();
      assertThat(publisher.count()).isEqualTo(10_000);
    } finally {
      relays.forEach(Relay::close);
      pools.forEach(HikariDataSource::close);
    }
  }

  private static long backlog(TestDatabase db) {
    return db.queryLong("SELECT count(*) FROM outbox_message");
  }
}
