package dev.outpost.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.relay.Publisher;
import dev.outpost.relay.Relay;
import dev.outpost.relay.kafka.KafkaPublisher;
import dev.outpost.relay.rabbitmq.RabbitMqPublisher;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A relay in a child JVM publishing to RabbitMQ or Kafka, built through the public API only; runs
 * until killed. Arguments (all required): JDBC URL, user, password, broker (an AMQP URI, or {@code
 * kafka://} and the bootstrap servers), instance id, then the {@link Settings} fields in order.
 */
public final class RelayNode {

  /** Prefix of a Kafka broker address: {@code kafka://host:port}. */
  static final String KAFKA = "kafka://";

  /** The relay's knobs, passed on the command line. */
  record Settings(
      long leaseMillis,
      int batchSize,
      int threads,
      int maxAttempts,
      long backoffBaseMillis,
      long backoffMaxMillis,
      int ratePerSecond) {

    /** A relay that drains steadily, slow enough for the test to act mid-drain. */
    static Settings steady() {
      return new Settings(3_000, 50, 2, 10, 100, 1_000, 1_500);
    }

    Settings withLease(long millis) {
      return new Settings(
          millis,
          batchSize,
          threads,
          maxAttempts,
          backoffBaseMillis,
          backoffMaxMillis,
          ratePerSecond);
    }

    Settings withRetryBudget(int attempts, long baseMillis, long maxMillis) {
      return new Settings(
          leaseMillis, batchSize, threads, attempts, baseMillis, maxMillis, ratePerSecond);
    }

    String[] args() {
      return new String[] {
        Long.toString(leaseMillis),
        Integer.toString(batchSize),
        Integer.toString(threads),
        Integer.toString(maxAttempts),
        Long.toString(backoffBaseMillis),
        Long.toString(backoffMaxMillis),
        Integer.toString(ratePerSecond)
      };
    }

    /** The most deliveries one kill can duplicate: the batches in flight. */
    int inFlight() {
      return batchSize * threads;
    }
  }

  private RelayNode() {}

  /** Starts a relay node in a child JVM. */
  static ChildJvm start(String name, ChaosPostgres db, String amqpUri, Settings settings) {
    String[] fixed = {db.jdbcUrl(), db.user(), db.password(), amqpUri, name};
    String[] all = new String[fixed.length + settings.args().length];
    System.arraycopy(fixed, 0, all, 0, fixed.length);
    System.arraycopy(settings.args(), 0, all, fixed.length, settings.args().length);
    return ChildJvm.start(name, RelayNode.class, all);
  }

  /** A broker address {@code kafka://host:port,...} means Kafka, anything else an AMQP URI. */
  private static Publisher publisher(String broker, String name) {
    if (broker.startsWith(KAFKA)) {
      return KafkaPublisher.builder()
          .bootstrapServers(broker.substring(KAFKA.length()))
          .clientId(name)
          .sendTimeout(Duration.ofSeconds(3))
          .requestTimeout(Duration.ofSeconds(1))
          .maxBlock(Duration.ofSeconds(2))
          .build();
    }
    return RabbitMqPublisher.builder()
        .uri(broker)
        .connectionName(name)
        .connectTimeout(Duration.ofSeconds(2))
        .confirmTimeout(Duration.ofSeconds(5))
        .recoveryInterval(Duration.ofMillis(500))
        .build();
  }

  public static void main(String[] args) throws Exception {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(args[0]);
    pool.setUsername(args[1]);
    pool.setPassword(args[2]);
    pool.setMaximumPoolSize(8);
    pool.setMinimumIdle(0);
    pool.setConnectionTimeout(3_000);
    pool.setInitializationFailTimeout(-1);
    pool.setPoolName("chaos-relay");
    HikariDataSource dataSource = new HikariDataSource(pool);
    long lease = Long.parseLong(args[5]);
    Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .publisher(publisher(args[3], args[4]))
            .instanceId(args[4])
            .leaseDuration(Duration.ofMillis(lease))
            .heartbeatInterval(Duration.ofMillis(lease / 4))
            .batchSize(Integer.parseInt(args[6]))
            .threads(Integer.parseInt(args[7]))
            .maxAttempts(Integer.parseInt(args[8]))
            .backoffBase(Duration.ofMillis(Long.parseLong(args[9])))
            .backoffMax(Duration.ofMillis(Long.parseLong(args[10])))
            .rateLimitPerSecond(Integer.parseInt(args[11]))
            .pollInterval(Duration.ofMillis(200))
            .build();
    relay.start();
    System.out.println("relay started " + ProcessHandle.current().pid());
    new CountDownLatch(1).await();
  }
}
