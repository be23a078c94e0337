package dev.outpost.delay;

import static dev.outpost.delay.Db.inTx;
import static dev.outpost.delay.Db.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.OutpostException;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.PostgresOnly;
import dev.outpost.testing.TestDatabase;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.quartz.CronScheduleBuilder;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobListener;
import org.quartz.Scheduler;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.TriggerBuilder;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.impl.matchers.GroupMatcher;
import org.quartz.listeners.JobListenerSupport;

@ExtendWith(OutpostDatabaseExtension.class)
@PostgresOnly // PostgreSQL Quartz tables and SQL in the test
class QuartzSweepTest {

  private final TestDatabase db;
  private final MutableClock clock = MutableClock.atSystemTime();

  QuartzSweepTest(TestDatabase db) {
    this.db = db;
  }

  @BeforeEach
  void clearQuartz() {
    QuartzTables.clear(db);
    CountingJob.RUNS.set(0);
  }

  private static OutboxMessage message(String key) {
    return OutboxMessage.to("order-timeout").key(key).payload(utf8("release " + key)).build();
  }

  private long outboxCount() {
    return db.queryLong("SELECT count(*) FROM outbox_message");
  }

  @Test
  void the_quartz_sweep_delivers_a_message_once_due_and_not_before() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .clock(clock)
            .sweepInterval(Duration.ofMillis(50))
            .meterRegistry(registry)
            .quartzSchedulerName("outpost-quartz-sweep-test")
            .build()) {
      OutboxMessage message = message("o1");
      inTx(db.dataSource(), c -> delay.schedule(c, message, Duration.ofMinutes(5), "o1"));
      delay.start();
      AtomicInteger sweeps = countSweeps(delay.quartz());

      await().atMost(Duration.ofSeconds(30)).until(() -> sweeps.get() >= 3);
      assertThat(outboxCount()).isZero();

      clock.advance(Duration.ofMinutes(5).plusMillis(40));
      await().atMost(Duration.ofSeconds(30)).until(() -> outboxCount() == 1);

      assertThat(Db.outbox(db.dataSource()).get(0).messageId()).isEqualTo(message.messageId());
      assertThat(registry.get("outpost.delay.moved").tag("schema", "public").counter().count())
          .isEqualTo(1.0);
      var lateness = registry.get("outpost.delay.lateness").timer();
      assertThat(lateness.count()).isEqualTo(1);
      assertThat(lateness.max(java.util.concurrent.TimeUnit.MILLISECONDS))
          .isGreaterThanOrEqualTo(40);
    }
  }

  @Test
  void the_application_registers_its_own_cron_jobs_on_the_same_scheduler() throws Exception {
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .clock(clock)
            .quartzSchedulerName("outpost-cron-test")
            .build()) {
      delay.start();

      Scheduler quartz = delay.quartz();
      var job = JobBuilder.newJob(CountingJob.class).withIdentity("nightly-report", "app").build();
      var everySecond =
          TriggerBuilder.newTrigger()
              .withIdentity("nightly-report", "app")
              .withSchedule(CronScheduleBuilder.cronSchedule("* * * * * ?"))
              .build();
      quartz.scheduleJob(job, java.util.Set.of(everySecond), true);

      await().atMost(Duration.ofSeconds(30)).until(() -> CountingJob.RUNS.get() >= 1);
      inTx(db.dataSource(), c -> delay.schedule(c, message("o1"), Duration.ZERO));
      await().atMost(Duration.ofSeconds(30)).until(() -> outboxCount() == 1);
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM qrtz_cron_triggers WHERE sched_name = 'outpost-cron-test'"))
          .isEqualTo(1);
    }
  }

  @Test
  void attaches_to_an_application_scheduler_and_leaves_its_lifecycle_to_the_application()
      throws Exception {
    Properties properties = new Properties();
    properties.setProperty("org.quartz.scheduler.instanceName", "app-scheduler");
    properties.setProperty("org.quartz.threadPool.threadCount", "3");
    properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    Scheduler app = new StdSchedulerFactory(properties).getScheduler();
    try {
      DelayScheduler delay =
          DelayScheduler.builder()
              .dataSource(db.dataSource())
              .clock(clock)
              .sweepInterval(Duration.ofMillis(50))
              .quartzScheduler(app)
              .build();
      delay.start();
      assertThat(app.isStarted()).isFalse();
      assertThat(delay.quartz()).isSameAs(app);
      app.scheduleJob(
          JobBuilder.newJob(CountingJob.class).withIdentity("app-job").build(),
          TriggerBuilder.newTrigger()
              .withSchedule(SimpleScheduleBuilder.repeatSecondlyForever(1))
              .build());
      app.start();
      inTx(db.dataSource(), c -> delay.schedule(c, message("o1"), Duration.ZERO));

      await().atMost(Duration.ofSeconds(30)).until(() -> outboxCount() == 1);
      await().atMost(Duration.ofSeconds(30)).until(() -> CountingJob.RUNS.get() >= 1);

      delay.close();
      assertThat(app.isShutdown()).isFalse();
      assertThat(app.checkExists(org.quartz.JobKey.jobKey("delay-sweep-public", "outpost")))
          .as("no other node can sweep with a non-clustered job store: the job is gone")
          .isFalse();
      int runs = CountingJob.RUNS.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> CountingJob.RUNS.get() > runs);
    } finally {
      app.shutdown(true);
    }
  }

  @Test
  void a_failing_sweep_is_counted_and_the_next_fire_tries_again() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("org.quartz.scheduler.instanceName", "app-scheduler-flaky");
    properties.setProperty("org.quartz.threadPool.threadCount", "1");
    properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    Scheduler app = new StdSchedulerFactory(properties).getScheduler();
    AtomicBoolean databaseDown = new AtomicBoolean(true);
    DataSource flaky = failingWhile(databaseDown, db.dataSource());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(flaky)
            .clock(clock)
            .sweepInterval(Duration.ofMillis(20))
            .meterRegistry(registry)
            .quartzScheduler(app)
            .build()) {
      inTx(db.dataSource(), c -> delay.schedule(c, message("o1"), Duration.ZERO));
      delay.start();
      app.start();

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> registry.get("outpost.delay.sweep.failures").counter().count() >= 3);
      assertThat(outboxCount()).isZero();

      databaseDown.set(false);
      await().atMost(Duration.ofSeconds(30)).until(() -> outboxCount() == 1);
    } finally {
      app.shutdown(true);
    }
  }

  private static DataSource failingWhile(AtomicBoolean down, DataSource real) {
    return (DataSource)
        java.lang.reflect.Proxy.newProxyInstance(
            QuartzSweepTest.class.getClassLoader(),
            new Class<?>[] {DataSource.class},
            (proxy, method, args) -> {
              if (method.getName().equals("getConnection") && down.get()) {
                throw new java.sql.SQLException("connection refused (test)", "08001");
              }
              try {
                return method.invoke(real, args);
              } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
              }
            });
  }

  @Test
  void a_second_delay_scheduler_for_the_same_schema_on_one_application_scheduler_is_refused()
      throws Exception {
    Properties properties = new Properties();
    properties.setProperty("org.quartz.scheduler.instanceName", "app-scheduler-2");
    properties.setProperty("org.quartz.threadPool.threadCount", "1");
    properties.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    Scheduler app = new StdSchedulerFactory(properties).getScheduler();
    try (DelayScheduler first =
            DelayScheduler.builder().dataSource(db.dataSource()).quartzScheduler(app).build();
        DelayScheduler second =
            DelayScheduler.builder().dataSource(db.dataSource()).quartzScheduler(app).build()) {
      first.start();

      assertThatThrownBy(second::start)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("one DelayScheduler per schema");
    } finally {
      app.shutdown();
    }
  }

  @Test
  void fails_to_start_with_a_clear_message_when_the_quartz_tables_are_missing() {
    db.execute("CREATE SCHEMA IF NOT EXISTS delay_test_no_quartz");
    try (DelayScheduler delay =
        DelayScheduler.builder()
            .dataSource(db.dataSource())
            .schema("delay_test_no_quartz")
            .build()) {
      assertThatThrownBy(delay::start)
          .isInstanceOf(OutpostException.class)
          .hasMessageContaining("qrtz_")
          .hasMessageContaining("OutpostMigrations");
    }
  }

  private static AtomicInteger countSweeps(Scheduler quartz) throws Exception {
    AtomicInteger sweeps = new AtomicInteger();
    JobListener listener =
        new JobListenerSupport() {
          @Override
          public String getName() {
            return "sweep-counter";
          }

          @Override
          public void jobWasExecuted(
              JobExecutionContext context, org.quartz.JobExecutionException exception) {
            sweeps.incrementAndGet();
          }
        };
    quartz.getListenerManager().addJobListener(listener, GroupMatcher.jobGroupEquals("outpost"));
    return sweeps;
  }
}
