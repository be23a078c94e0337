package dev.outpost.examples.basics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.outpost.relay.Relay;
import dev.outpost.testing.LocalRabbitMq;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class RelayToRabbitMqTest {

  @Test
  @Timeout(120)
  void a_committed_message_reaches_the_queue_and_leaves_the_outbox(TestDatabase db)
      throws Exception {
    LocalRabbitMq.requireAvailable();
    BasicsTables.reset(db);
    String exchange = "basics-" + UUID.randomUUID();
    try (Connection connection = LocalRabbitMq.connectionFactory().newConnection();
        Channel channel = connection.createChannel()) {
      channel.exchangeDeclare(exchange, "topic", false, true, null);
      String queue = channel.queueDeclare("", false, true, true, null).getQueue();
      channel.queueBind(queue, exchange, "order.created");

      UUID orderId = new SendWithJdbc(db.dataSource(), db.schema()).placeOrder("apple", false);
      try (Relay relay =
          RelayToRabbitMq.start(db.dataSource(), db.schema(), LocalRabbitMq.uri(), exchange)) {
        AtomicReference<GetResponse> got = new AtomicReference<>();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> {
                  GetResponse response = channel.basicGet(queue, true);
                  if (response != null) {
                    got.set(response);
                  }
                  return got.get() != null;
                });
        assertThat(new String(got.get().getBody(), StandardCharsets.UTF_8))
            .contains(orderId.toString());
        assertThat(got.get().getProps().getMessageId()).isNotBlank();
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> BasicsTables.outboxRows(db, "order.created") == 0);
      } finally {
        channel.exchangeDelete(exchange);
      }
    }
  }
}
