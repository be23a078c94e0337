package dev.outpost.relay;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;

/**
 * A relay in a JVM of its own, for the crash test: runs until killed. Arguments: JDBC URL, user,
 * password.
 */
public final class CrashingRelayMain {

  static final String INSTANCE_ID = "crashing-child";
  static final Duration LEASE = Duration.ofSeconds(2);
  static final int BATCH_SIZE = 50;
  static final int THREADS = 4;

  private CrashingRelayMain() {}

  public static void main(String[] args) throws Exception {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(args[0]);
    config.setUsername(args[1]);
    config.setPassword(args.length > 2 ? args[2] : "");
    config.setMaximumPoolSize(THREADS * 2 + 2);
    HikariDataSource dataSource = new HikariDataSource(config);
    Relay relay =
        Relay.builder()
            .dataSource(dataSource)
            .publisher(new TableRecordingPublisher(dataSource, Duration.ofMillis(15)))
            .instanceId(INSTANCE_ID)
            .leaseDuration(LEASE)
            .batchSize(BATCH_SIZE)
            .threads(THREADS)
            .build();
    relay.start();
    System.out.println("relay started");
    new CountDownLatch(1).await();
  }
}
