package dev.outpost.rocketmq;

import dev.outpost.dedup.Dedup;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.rocketmq.common.consumer.ConsumeFromWhere;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Child JVM of {@link RocketMqDedupConsumerTest}: consumes with a {@link RocketMqDedupConsumer} and
 * halts right after the first database commit, before RocketMQ learns the message was consumed.
 *
 * <p>Args: jdbcUrl user password schema namesrvAddress topic consumerGroup.
 */
public final class CrashingConsumerMain {

  private CrashingConsumerMain() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setUrl(args[0]);
    postgres.setUser(args[1]);
    postgres.setPassword(args[2]);
    String group = args[6];
    RocketMqDedupConsumer consumer =
        RocketMqDedupConsumer.builder()
            .namesrvAddress(args[4])
            .topic(args[5])
            .consumerGroup(group)
            .consumeFromWhere(ConsumeFromWhere.CONSUME_FROM_FIRST_OFFSET)
            .dataSource(new HaltingDataSource(postgres))
            .dedup(Dedup.builder().schema(args[3]).build())
            .jdbcHandler(
                (tx, message) ->
                    Effects.insert(
                        tx,
                        group,
                        RocketMqReader.messageId(message),
                        "child " + new String(message.getBody(), StandardCharsets.UTF_8)))
            .build();
    consumer.start();
    new CountDownLatch(1).await(120, TimeUnit.SECONDS);
    System.out.println("no message arrived within 120 s");
    System.exit(3);
  }
}
