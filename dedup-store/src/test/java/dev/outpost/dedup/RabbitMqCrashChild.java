package dev.outpost.dedup;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Child JVM of {@link RabbitMqDedupConsumerTest}: consumes with a {@link RabbitMqDedupConsumer} and
 * halts right after the first database commit, before the ack.
 *
 * <p>Args: jdbcUrl user password schema amqpUri queue consumerName.
 */
public final class RabbitMqCrashChild {

  private RabbitMqCrashChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setUrl(args[0]);
    postgres.setUser(args[1]);
    postgres.setPassword(args[2]);
    ConnectionFactory factory = new ConnectionFactory();
    factory.setUri(args[4]);
    Connection connection = factory.newConnection("outpost-dedup-crash-child");
    Channel channel = connection.createChannel();
    RabbitMqDedupConsumer consumer =
        RabbitMqDedupConsumer.builder()
            .channel(channel)
            .queue(args[5])
            .consumerName(args[6])
            .dataSource(new HaltingDataSource(postgres))
            .dedup(Dedup.builder().schema(args[3]).build())
            .jdbcHandler(
                (tx, delivery) ->
                    EffectTable.insert(
                        tx,
                        args[6],
                        UUID.fromString(delivery.getProperties().getMessageId()),
                        "child " + new String(delivery.getBody(), StandardCharsets.UTF_8)))
            .build();
    consumer.start();
    new CountDownLatch(1).await(120, TimeUnit.SECONDS);
    System.out.println("no message arrived within 120 s");
    consumer.close();
    connection.close();
    System.exit(3);
  }
}
