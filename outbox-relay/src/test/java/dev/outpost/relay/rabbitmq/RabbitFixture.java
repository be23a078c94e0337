package dev.outpost.relay.rabbitmq;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import dev.outpost.testing.LocalRabbitMq;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/** Declares uniquely named queues and exchanges on the local RabbitMQ and deletes them after. */
final class RabbitFixture implements AutoCloseable {

  private final Connection connection;
  private final Channel channel;
  private final List<String> queues = new ArrayList<>();
  private final List<String> exchanges = new ArrayList<>();

  RabbitFixture() throws Exception {
    LocalRabbitMq.requireAvailable();
    connection = LocalRabbitMq.connectionFactory().newConnection("outpost-test-fixture");
    channel = connection.createChannel();
  }

  /** A durable queue with a unique name. */
  String queue(Map<String, Object> arguments) throws IOException {
    String name = "outpost-test-" + UUID.randomUUID();
    channel.queueDeclare(name, true, false, false, arguments);
    queues.add(name);
    return name;
  }

  String queue() throws IOException {
    return queue(Map.of());
  }

  /** A durable exchange with a unique name. */
  String exchange(String type) throws IOException {
    String name = "outpost-test-x-" + UUID.randomUUID();
    channel.exchangeDeclare(name, type, true);
    exchanges.add(name);
    return name;
  }

  void bind(String queue, String exchange, String routingKey) throws IOException {
    channel.queueBind(queue, exchange, routingKey);
  }

  void purge(String queue) throws IOException {
    channel.queuePurge(queue);
  }

  long count(String queue) throws IOException {
    return channel.messageCount(queue);
  }

  /** Takes (auto-ack) at least {@code count} messages from {@code queue}; fails after 60 s. */
  List<GetResponse> take(String queue, int count) throws IOException {
    List<GetResponse> taken = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (taken.size() < count) {
      GetResponse response = channel.basicGet(queue, true);
      if (response != null) {
        taken.add(response);
      } else if (System.nanoTime() > deadline) {
        throw new AssertionError("took " + taken.size() + " messages, expected " + count);
      } else {
        Thread.onSpinWait();
      }
    }
    return taken;
  }

  /** Takes whatever is left in {@code queue}. */
  List<GetResponse> takeRest(String queue) throws IOException {
    List<GetResponse> taken = new ArrayList<>();
    for (GetResponse r = channel.basicGet(queue, true);
        r != null;
        r = channel.basicGet(queue, true)) {
      taken.add(r);
    }
    return taken;
  }

  static String header(AMQP.BasicProperties properties, String name) {
    Object value = properties.getHeaders() == null ? null : properties.getHeaders().get(name);
    return value == null ? null : value.toString();
  }

  static Duration seconds(long seconds) {
    return Duration.ofSeconds(seconds);
  }

  @Override
  public void close() throws Exception {
    for (String queue : queues) {
      channel.queueDelete(queue);
    }
    for (String exchange : exchanges) {
      channel.exchangeDelete(exchange);
    }
    connection.close();
  }
}
