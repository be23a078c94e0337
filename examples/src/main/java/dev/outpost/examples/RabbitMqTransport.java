package dev.outpost.examples;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.AMQP;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * RabbitMQ: the relay publishes to the topic exchange {@code outpost.example} with the message
 * topic as routing key; one durable queue per consumer is bound to it. A delivery is acked only
 * after the consumer's transaction (with its dedup key) committed, so a crash before the ack
 * means a redelivery that the dedup store skips.
 */
final class RabbitMqTransport implements Transport {

  static final String EXCHANGE = "outpost.example";

  // A channel hands its deliveries to its consumer one at a time; several channels per queue let
  // several consumer transactions run at once.
  private static final int CONSUMERS_PER_QUEUE = 4;

  private static final Logger log = LoggerFactory.getLogger(RabbitMqTransport.class);

  private final String uri;
  private final String queuePrefix;
  private final Consumers consumers;
  private final RabbitMqPublisher publisher;
  private final List<Channel> channels = new ArrayList<>();
  private Connection connection;

  RabbitMqTransport(String uri, String schema, Consumers consumers) {
    this.uri = uri;
    this.queuePrefix = "example." + schema + ".";
    this.consumers = consumers;
    this.publisher = RabbitMqPublisher.builder().uri(uri).exchange(EXCHANGE).build();
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
      for (String topic : List.of(Events.ORDER_CREATED, Events.ORDER_TIMEOUT)) {
        for (int i = 0; i < CONSUMERS_PER_QUEUE; i++) {
          consume(topic);
        }
      }
    } catch (Exception e) {
      close();
      throw new IllegalStateException(
          "cannot connect to RabbitMQ at " + uri.replaceAll("//[^@/]*@", "//") + ": " + e, e);
    }
  }

  private void consume(String topic) throws IOException {
    Channel channel = connection.createChannel();
    channels.add(channel);
    String queue = queuePrefix + topic;
    channel.exchangeDeclare(EXCHANGE, BuiltinExchangeType.TOPIC, true);
    channel.queueDeclare(queue, true, false, false, null);
    channel.queueBind(queue, EXCHANGE, topic);
    channel.basicQos(50);
    channel.basicConsume(
        queue,
        false,
        new DefaultConsumer(channel) {
          @Override
          public void handleDelivery(
              String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body)
              throws IOException {
            try {
              consumers.deliver(topic, UUID.fromString(properties.getMessageId()), body);
              channel.basicAck(envelope.getDeliveryTag(), false);
            } catch (RuntimeException e) {
              log.warn("handling a {} message failed; it is redelivered", topic, e);
              channel.basicNack(envelope.getDeliveryTag(), false, true);
            }
          }
        });
  }

  @Override
  public void close() {
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
