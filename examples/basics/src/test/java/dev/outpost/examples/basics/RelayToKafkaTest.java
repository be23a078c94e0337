package dev.outpost.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.outpost.relay.Relay;
import dev.outpost.relay.RelayMessage;
import dev.outpost.testing.EmbeddedKafka;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class RelayToKafkaTest {

  @Test
  @Timeout(180)
  void a_committed_message_reaches_the_topic_keyed_with_its_message_id(TestDatabase db)
      throws Exception {
    EmbeddedKafka kafka = EmbeddedKafka.shared();
    kafka.createTopic("order.created", 4);
    BasicsTables.reset(db);
    UUID orderId = new SendWithJdbc(db.dataSource(), db.schema()).placeOrder("kiwi", false);

    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (Relay relay = RelayToKafka.start(db.dataSource(), db.schema(), kafka.bootstrapServers());
        KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    kafka.bootstrapServers(),
                    ConsumerConfig.GROUP_ID_CONFIG,
                    "basics-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest"),
                new StringDeserializer(),
                new StringDeserializer())) {
      consumer.subscribe(List.of("order.created"));
      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () -> {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                return !received.isEmpty();
              });
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> BasicsTables.outboxRows(db, "order.created") == 0);
    }
    ConsumerRecord<String, String> record = received.get(0);
    assertThat(record.key()).isEqualTo(orderId.toString());
    assertThat(record.value()).contains("kiwi");
    assertThat(record.headers().lastHeader(RelayMessage.MESSAGE_ID_HEADER)).isNotNull();
  }
}
