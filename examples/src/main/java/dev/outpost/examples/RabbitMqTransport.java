package dev.outpost.examples;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import dev.outpost.dedup.RabbitMqDedupConsumer;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ: the relay publishes to the topic exchange {@code example.<schema>} with the message
 * topic as routing key; each consumer has a durable queue {@code example.<schema>.<topic>} bound to
 * it, read by Outpost's {@link RabbitMqDedupConsumer}, which acks a delivery only after the
 * consumer's transaction (with its dedup key) committed. Messages that keep failing go to the queue
 * {@code example.<schema>.dead-letters}. Everything is named after the schema, so apps on different
 * schemas sharing a broker do not see each other's messages.
 */
final class RabbitMqTransport implements Transport {

  // Each RabbitMqDedupConsumer works through its deliveries one at a time; several per queue let
  // several consumer transactions run at once.
  private static final int CONSUMERS_PER_QUEUE = 4;

  private static final Logger log = LoggerFactory.getLogger(RabbitMqTransport.class);

  private final String uri;
  private final String exchange;
  private final String deadLetterExchange;
  private final String queuePrefix;
  private final Consumers consumers;
  private final RabbitMqPublisher publisher;
  private final List<RabbitMqDedupConsumer> running = new ArrayList<>();
  private Connection connection;

  RabbitMqTransport(String uri, String schema, Consumers consumers) {
    this.uri = uri;
    this.exchange = "example." + schema;
    this.deadLetterExchange = exchange + ".dead-letters";
    this.queuePrefix = exchange + ".";
    this.consumers = consumers;
    this.publisher = RabbitMqPublisher.builder().uri(uri).exchange(exchange).build();
  }

  @Override
  public Publisher publisher() {
    return publisher;
  }

  @Override
  public void startConsumers() {
    try {
      ConnectionFactory factory = new ConnectionFactory();
      factory.setUri(uri);
      connection = factory.newConnection("outpost-example-consumers");
      declareTopology();
      for (Consumers.Consumer consumer : consumers.all()) {
        for (int i = 0; i < CONSUMERS_PER_QUEUE; i++) {
          running.add(start(consumer));
        }
      }
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "cannot consume from RabbitMQ at " + uri.replaceAll("//[^@/]*@", "//") + ": " + e, e);
    }
  }

  private void declareTopology() throws IOException {
    try (Channel channel = connection.createChannel()) {
      channel.exchangeDeclare(exchange, BuiltinExchangeType.TOPIC, true);
      channel.exchangeDeclare(deadLetterExchange, BuiltinExchangeType.FANOUT, true);
      channel.queueDeclare(queuePrefix + "dead-letters", true, false, false, null);
      channel.queueBind(queuePrefix + "dead-letters", deadLetterExchange, "");
      for (Consumers.Consumer consumer : consumers.all()) {
        String queue = queuePrefix + consumer.topic();
        channel.queueDeclare(
            queue, true, false, false, Map.of("x-dead-letter-exchange", deadLetterExchange));
        channel.queueBind(queue, exchange, consumer.topic());
      }
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException(e);
    }
  }

  private RabbitMqDedupConsumer start(Consumers.Consumer consumer) throws IOException {
    RabbitMqDedupConsumer rabbit =
        RabbitMqDedupConsumer.builder()
            .channel(connection.createChannel())
            .queue(queuePrefix + consumer.topic())
            .consumerName(consumer.name())
            .dataSource(consumers.db().dataSource())
            .dedup(consumers.dedup())
            .jdbcHandler(
                (tx, delivery) ->
                    consumer
                        .work()
                        .run(
                            tx,
                            UUID.fromString(delivery.getProperties().getMessageId()),
                            delivery.getBody()))
            .build();
    rabbit.start();
    return rabbit;
  }

  @Override
  public void close() {
    running.forEach(RabbitMqDedupConsumer::close);
    try {
      if (connection != null) {
        connection.close(5_000);
      }
    } catch (IOException | RuntimeException e) {
      log.warn("closing the RabbitMQ consumer connection failed: {}", e.toString());
    }
    publisher.close();
  }
}
