package dev.outpost.rocketmq;

import static dev.outpost.relay.brokers.TestMessages.message;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.dedup.Dedup;
import dev.outpost.dedup.DedupCounts;
import dev.outpost.dedup.DedupStore;
import dev.outpost.relay.RelayMessage;
import dev.outpost.testing.EmbeddedRocketMq;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The RocketMQ consumer through the {@link DedupStore} seam, the one the Redis store plugs into
 * (Redis itself is tested with the Kafka and RabbitMQ consumers in dedup-store).
 */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(180)
class RocketMqDedupStoreTest {

  private static final EmbeddedRocketMq rocketmq = EmbeddedRocketMq.shared();

  @Test
  void runs_each_message_once_through_a_store_and_skips_a_message_sent_again(TestDatabase db) {
    Effects.create(db);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String topic = "outpost-store-" + suffix;
    String group = "outpost-store-group-" + suffix;
    rocketmq.createTopic(topic, 4);
    List<RelayMessage> messages = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      messages.add(message(topic, "k" + (i % 3), "m" + i));
    }
    try (RocketMqPublisher publisher =
        RocketMqPublisher.builder().namesrvAddress(rocketmq.namesrvAddress()).build()) {
      Publishing.untilConfirmed(publisher, messages);
      // The relay sends messages again after a crash between confirm and delete.
      Publishing.untilConfirmed(publisher, messages.subList(0, 4));
    }

    DedupStore<Connection> store =
        DedupStore.database(db.dataSource(), Dedup.builder().schema(db.schema()).build());
    try (RocketMqDedupConsumer consumer =
        RocketMqDedupConsumer.builder()
            .namesrvAddress(rocketmq.namesrvAddress())
            .topic(topic)
            .consumerGroup(group)
            .consumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET)
            .dedupStore(
                store,
                (tx, message) -> Effects.insert(tx, group, RocketMqReader.messageId(message), "x"))
            .build()) {
      consumer.start();
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> consumer.counts().equals(new DedupCounts(12, 4)));
    }
    assertThat(Effects.count(db, group)).isEqualTo(12);
    assertThat(Effects.maxPerMessage(db, group)).isEqualTo(1);
  }

  @Test
  void refuses_a_store_mixed_with_the_database_settings(TestDatabase db) {
    assertThatThrownBy(
            () ->
                RocketMqDedupConsumer.builder()
                    .namesrvAddress("127.0.0.1:9876")
                    .topic("t")
                    .consumerGroup("g")
                    .jdbcHandler((tx, message) -> {})
                    .dedupStore(
                        DedupStore.database(db.dataSource(), Dedup.builder().build()),
                        (tx, message) -> {})
                    .build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dedupStore(store, handler) replaces");
  }
}
