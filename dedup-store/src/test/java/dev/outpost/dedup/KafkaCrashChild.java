package dev.outpost.dedup;

import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * Child JVM of {@link KafkaDedupConsumerTest}: consumes with a {@link KafkaDedupConsumer} and halts
 * right after the first database commit, before the offset commit.
 *
 * <p>Args: jdbcUrl user password schema bootstrapServers topic groupId consumerName.
 */
public final class KafkaCrashChild {

  private KafkaCrashChild() {}

  public static void main(String[] args) throws Exception {
    PGSimpleDataSource postgres = new PGSimpleDataSource();
    postgres.setUrl(args[0]);
    postgres.setUser(args[1]);
    postgres.setPassword(args[2]);
    KafkaDedupConsumer<String, String> consumer =
        KafkaDedupConsumer.<String, String>builder()
            .consumerProperties(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    args[4],
                    ConsumerConfig.GROUP_ID_CONFIG,
                    args[6],
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                    "earliest",
                    ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG,
                    6000,
                    ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG,
                    1000,
                    ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class,
                    ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                    StringDeserializer.class))
            .topics(List.of(args[5]))
            .consumerName(args[7])
            .dataSource(new HaltingDataSource(postgres))
            .dedup(Dedup.builder().schema(args[3]).build())
            .jdbcHandler(
                (tx, record) ->
                    EffectTable.insert(tx, args[7], record.key(), "child " + record.value()))
            .build();
    consumer.start();
    new java.util.concurrent.CountDownLatch(1).await(120, java.util.concurrent.TimeUnit.SECONDS);
    System.out.println("no record arrived within 120 s");
    consumer.close();
    System.exit(3);
  }
}
