package dev.outpost.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.Scheduler;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.ConnectionProvider;
import org.quartz.utils.DBConnectionManager;

class QuartzTablesTest {

  static final CountDownLatch FIRED = new CountDownLatch(1);

  /** Counts down when Quartz runs it. */
  public static class RecordingJob implements Job {
    @Override
    public void execute(JobExecutionContext context) {
      FIRED.countDown();
    }
  }

  @Test
  void a_clustered_jdbc_job_store_runs_on_the_migrated_quartz_tables() throws Exception {
    TestDatabase db = OutpostPostgres.shared();
    DBConnectionManager.getInstance()
        .addConnectionProvider(
            "outpostTest",
            new ConnectionProvider() {
              @Override
              public Connection getConnection() throws SQLException {
                return db.dataSource().getConnection();
              }

              @Override
              public void shutdown() {}

              @Override
              public void initialize() {}
            });
    Properties props = new Properties();
    props.setProperty("org.quartz.scheduler.instanceName", "outpost-quartz-tables-test");
    props.setProperty("org.quartz.scheduler.instanceId", "AUTO");
    props.setProperty("org.quartz.threadPool.threadCount", "2");
    props.setProperty("org.quartz.jobStore.class", "org.quartz.impl.jdbcjobstore.JobStoreTX");
    props.setProperty(
        "org.quartz.jobStore.driverDelegateClass",
        "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
    props.setProperty("org.quartz.jobStore.dataSource", "outpostTest");
    props.setProperty("org.quartz.jobStore.tablePrefix", db.schema() + ".qrtz_");
    props.setProperty("org.quartz.jobStore.isClustered", "true");
    props.setProperty("org.quartz.jobStore.clusterCheckinInterval", "1000");
    Scheduler scheduler = new StdSchedulerFactory(props).getScheduler();
    try {
      scheduler.start();
      scheduler.scheduleJob(
          JobBuilder.newJob(RecordingJob.class).withIdentity("once").build(),
          TriggerBuilder.newTrigger().withIdentity("once").startNow().build());

      assertThat(FIRED.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM qrtz_scheduler_state"
                      + " WHERE sched_name = 'outpost-quartz-tables-test'"))
          .isEqualTo(1);
    } finally {
      scheduler.shutdown(true);
    }
  }
}
