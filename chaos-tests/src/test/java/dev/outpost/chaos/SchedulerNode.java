package dev.outpost.chaos;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.delay.DelayScheduler;
import dev.outpost.testing.DelegatingDataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A delay-scheduler node in a child JVM, one node of a Quartz cluster; runs until killed. Its
 * sweeps are slow on purpose: each connection a Quartz worker thread takes is announced with a line
 * {@value #SWEEPING} and handed out only after {@link #SWEEP_PAUSE}, so the test can kill the node
 * in the middle of a sweep. Arguments: JDBC URL, user, password, cluster name, sweep interval (ms).
 */
public final class SchedulerNode {

  static final String SWEEPING = "SWEEPING";
  static final Duration SWEEP_PAUSE = Duration.ofMillis(500);

  private SchedulerNode() {}

  static ChildJvm start(String name, ChaosPostgres db, String cluster, Duration sweepInterval) {
    return ChildJvm.start(
        name,
        SchedulerNode.class,
        db.jdbcUrl(),
        db.user(),
        db.password(),
        cluster,
        Long.toString(sweepInterval.toMillis()));
  }

  public static void main(String[] args) throws Exception {
    HikariConfig pool = new HikariConfig();
    pool.setJdbcUrl(args[0]);
    pool.setUsername(args[1]);
    pool.setPassword(args[2]);
    pool.setMaximumPoolSize(6);
    pool.setPoolName("chaos-scheduler");
    HikariDataSource hikari = new HikariDataSource(pool);
    DelegatingDataSource slowSweeps =
        new DelegatingDataSource(hikari) {
          @Override
          public Connection getConnection() throws SQLException {
            if (Thread.currentThread().getName().contains("-worker")) {
              System.out.println(SWEEPING + " " + System.currentTimeMillis());
              System.out.flush();
              try {
                TimeUnit.MILLISECONDS.sleep(SWEEP_PAUSE.toMillis());
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            }
            return super.getConnection();
          }
        };
    DelayScheduler scheduler =
        DelayScheduler.builder()
            .dataSource(slowSweeps)
            .sweepInterval(Duration.ofMillis(Long.parseLong(args[4])))
            .quartzSchedulerName(args[3])
            .build();
    scheduler.start();
    System.out.println("scheduler started " + ProcessHandle.current().pid());
    new CountDownLatch(1).await();
  }
}
