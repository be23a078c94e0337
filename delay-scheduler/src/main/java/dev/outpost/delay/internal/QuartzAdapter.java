package dev.outpost.delay.internal;

import dev.outpost.common.Dialect;
import dev.outpost.common.OutpostTableNames;
import dev.outpost.delay.DelaySchedulerConfig;
import dev.outpost.outbox.OutpostException;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import javax.sql.DataSource;
import org.quartz.JobBuilder;
import org.quartz.JobDetail;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.SimpleTrigger;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.SchedulerRepository;
import org.quartz.impl.StdSchedulerFactory;
import org.quartz.utils.DBConnectionManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything that touches Quartz: creating a clustered JDBC-store scheduler on the application's
 * data source (or taking the application's), registering the sweep job, detaching. Quartz's checked
 * exceptions are wrapped here, once. Not thread-safe; the owner serialises calls.
 */
final class QuartzAdapter {

  /** Quartz group of Outpost's jobs and triggers. */
  static final String GROUP = "outpost";

  /** Default misfire threshold: a sweep fire more than this late counts as misfired. */
  static final String DEFAULT_MISFIRE_THRESHOLD_MS = "5000";

  /** Default idle wait: how often a node that does not hold the sweep trigger looks for it. */
  static final String DEFAULT_IDLE_WAIT_MS = "1000";

  /**
   * Default cluster check-in interval: how often each node says it is alive and looks for dead
   * nodes whose sweep it must take over (Quartz's default is 7,500 ms).
   */
  static final String DEFAULT_CHECKIN_INTERVAL_MS = "1000";

  private static final String JOB_STORE_CLASS = "org.quartz.jobStore.class";
  private static final String FAILURE_GRACE = "org.quartz.jobStore.clusterFailureGrace";

  private static final Logger log = LoggerFactory.getLogger(QuartzAdapter.class);
  private static final AtomicLong PROVIDER_SEQUENCE = new AtomicLong();
  // StdSchedulerFactory binds schedulers by name in a JVM-wide repository; creation and unbinding
  // must not interleave between two nodes of one cluster created in one JVM.
  private static final Object CREATION = new Object();

  private final DelaySchedulerConfig config;
  private final DataSource dataSource;
  private final Scheduler given;
  private final JobKey jobKey;
  private final TriggerKey triggerKey;
  private final String contextKey;
  private Scheduler scheduler;
  private DataSourceConnectionProvider provider;

  QuartzAdapter(DelaySchedulerConfig config, DataSource dataSource, Scheduler given) {
    this.config = config;
    this.dataSource = dataSource;
    this.given = given;
    this.jobKey = new JobKey("delay-sweep-" + config.schema(), GROUP);
    this.triggerKey = new TriggerKey("delay-sweep-" + config.schema(), GROUP);
    this.contextKey = "dev.outpost.delay.sweeper." + config.schema();
  }

  /** The scheduler in use, or null before {@link #start}. */
  Scheduler scheduler() {
    return given != null ? given : scheduler;
  }

  /**
   * Makes this node's sweeper reachable for the job, registers the job, starts an own scheduler
   * (whose JDBC delegate and table names follow {@code dialect}; PostgreSQL's when null).
   */
  void start(Sweeper sweeper, Dialect dialect) {
    Scheduler target = given != null ? given : create(dialect);
    try {
      Object present = target.getContext().get(contextKey);
      if (present != null && present != sweeper) {
        throw new IllegalStateException(
            "Quartz scheduler '"
                + target.getSchedulerName()
                + "' already runs the delay sweep of schema '"
                + config.schema()
                + "' for another DelayScheduler; use one DelayScheduler per schema and"
                + " scheduler");
      }
      target.getContext().put(contextKey, sweeper);
      registerSweepJob(target);
      if (given == null) {
        target.start();
      }
      scheduler = target;
    } catch (SchedulerException e) {
      if (given == null) {
        shutdownQuietly(target);
      }
      throw new OutpostException(
          "could not start the delay sweep on Quartz: "
              + e.getMessage()
              + ". Check that Quartz's qrtz_* tables exist in schema '"
              + config.schema()
              + "' (OutpostMigrations creates them).",
          e);
    }
  }

  /**
   * Stops this node's part: shuts down an own scheduler (waiting for running jobs), or removes the
   * sweeper from the application's scheduler. On a clustered job store the job stays for the other
   * nodes; on a single-node store it is deleted.
   */
  void close() {
    Scheduler target = scheduler;
    scheduler = null;
    if (target == null) {
      return;
    }
    try {
      if (given == null) {
        handBackSweepTrigger(target);
        target.shutdown(true);
        return;
      }
      target.getContext().remove(contextKey);
      if (!target.getMetaData().isJobStoreClustered()) {
        // No other node can run the sweep, so the job would only fire into the void.
        target.deleteJob(jobKey);
      }
    } catch (SchedulerException e) {
      log.warn("could not shut down the delay scheduler's Quartz scheduler cleanly", e);
    }
  }

  /**
   * Quartz leaves a trigger that this node acquired for its next fire in state ACQUIRED through a
   * shutdown; other nodes, or the next node to start, could take it only after cluster recovery
   * declares this node dead (7.5 s plus the check-in interval at best), and sweeps would stop until
   * then. Standby stops this node from acquiring again; pausing and resuming the trigger puts it
   * back to WAITING at once (a fire this node still holds is then dropped by Quartz, as for any
   * trigger paused while acquired). Worst case, one fire of another node is skipped.
   */
  private void handBackSweepTrigger(Scheduler target) {
    try {
      target.standby();
      if (target.checkExists(triggerKey)) {
        target.pauseTrigger(triggerKey);
        target.resumeTrigger(triggerKey);
      }
    } catch (SchedulerException e) {
      log.debug("could not hand the sweep trigger back before shutdown", e);
    }
  }

  private void registerSweepJob(Scheduler target) throws SchedulerException {
    long intervalMillis = config.sweepInterval().toMillis();
    Trigger existing = target.getTrigger(triggerKey);
    if (existing instanceof SimpleTrigger simple
        && simple.getRepeatInterval() == intervalMillis
        && simple.getRepeatCount() == SimpleTrigger.REPEAT_INDEFINITELY
        && target.checkExists(jobKey)) {
      // Another node (or an earlier run) registered it; keeping it keeps its fire times, so a
      // trigger that missed fires while all nodes were down is handled as a misfire.
      return;
    }
    JobDetail job =
        JobBuilder.newJob(SweepJob.class)
            .withIdentity(jobKey)
            .withDescription("Outpost: moves due delayed messages into the outbox")
            .usingJobData(SweepJob.CONTEXT_KEY, contextKey)
            .storeDurably()
            .build();
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(triggerKey)
            .forJob(jobKey)
            .startNow()
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(intervalMillis)
                    .repeatForever()
                    // After downtime: one sweep at once (it drains the whole backlog), then on.
                    .withMisfireHandlingInstructionNowWithExistingCount())
            .build();
    target.scheduleJob(job, Set.of(trigger), true);
  }

  private Scheduler create(Dialect dialect) {
    String providerName =
        "outpost-delay-" + config.quartzSchedulerName() + '-' + PROVIDER_SEQUENCE.incrementAndGet();
    Properties properties = properties(providerName, dialect);
    String name = properties.getProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME);
    synchronized (CREATION) {
      SchedulerRepository repository = SchedulerRepository.getInstance();
      if (repository.lookup(name) != null) {
        throw new IllegalStateException(
            "a Quartz scheduler named '"
                + name
                + "' is already registered in this JVM; attach to it with"
                + " DelayScheduler.builder().quartzScheduler(it) or choose another"
                + " quartzSchedulerName");
      }
      provider = new DataSourceConnectionProvider(dataSource);
      DBConnectionManager.getInstance().addConnectionProvider(providerName, provider);
      try {
        QuartzBanner.quiet();
        Scheduler created = new StdSchedulerFactory(properties).getScheduler();
        // Unbound so that a second node of the same cluster (same name) can live in this JVM;
        // the application reaches this scheduler through DelayScheduler.quartz().
        repository.remove(name);
        return created;
      } catch (SchedulerException e) {
        provider.shutdown();
        throw new OutpostException(
            "could not create the Quartz scheduler '" + name + "': " + e.getMessage(), e);
      }
    }
  }

  private Properties properties(String providerName, Dialect dialect) {
    String name = config.quartzSchedulerName();
    Properties p = new Properties();
    p.setProperty(StdSchedulerFactory.PROP_SCHED_INSTANCE_NAME, name);
    p.setProperty(
        StdSchedulerFactory.PROP_SCHED_INSTANCE_ID, StdSchedulerFactory.AUTO_GENERATE_INSTANCE_ID);
    p.setProperty(
        StdSchedulerFactory.PROP_SCHED_INSTANCE_ID_GENERATOR_CLASS,
        UniqueInstanceIdGenerator.class.getName());
    p.setProperty(StdSchedulerFactory.PROP_SCHED_THREAD_NAME, "outpost-quartz-" + name);
    p.setProperty(StdSchedulerFactory.PROP_SCHED_MAKE_SCHEDULER_THREAD_DAEMON, "true");
    p.setProperty(StdSchedulerFactory.PROP_SCHED_IDLE_WAIT_TIME, DEFAULT_IDLE_WAIT_MS);
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", String.valueOf(config.quartzThreadCount()));
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "outpost-quartz-" + name + "-worker");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty(JOB_STORE_CLASS, OutpostJobStore.class.getName());
    p.setProperty("org.quartz.jobStore.dataSource", providerName);
    // The schema is a validated lower-case identifier (OutpostSchema.named), safe in Quartz's SQL.
    if (dialect == Dialect.MYSQL) {
      // Quartz's MySQL InnoDB tables are upper case (QRTZ_*; names are case-sensitive on Linux);
      // the default schema means the connection's database.
      p.setProperty(
          "org.quartz.jobStore.driverDelegateClass",
          "org.quartz.impl.jdbcjobstore.StdJDBCDelegate");
      p.setProperty(
          "org.quartz.jobStore.tablePrefix",
          OutpostTableNames.DEFAULT_SCHEMA.equals(config.schema())
              ? "QRTZ_"
              : config.schema() + ".QRTZ_");
    } else {
      p.setProperty(
          "org.quartz.jobStore.driverDelegateClass",
          "org.quartz.impl.jdbcjobstore.PostgreSQLDelegate");
      p.setProperty("org.quartz.jobStore.tablePrefix", config.schema() + ".qrtz_");
    }
    p.setProperty("org.quartz.jobStore.isClustered", "true");
    p.setProperty("org.quartz.jobStore.clusterCheckinInterval", DEFAULT_CHECKIN_INTERVAL_MS);
    p.setProperty(FAILURE_GRACE, String.valueOf(OutpostJobStore.DEFAULT_FAILURE_GRACE_MS));
    p.setProperty("org.quartz.jobStore.misfireThreshold", DEFAULT_MISFIRE_THRESHOLD_MS);
    p.setProperty("org.quartz.jobStore.makeThreadsDaemons", "true");
    for (Map.Entry<String, String> extra : config.quartzProperties().entrySet()) {
      p.setProperty(extra.getKey(), extra.getValue());
    }
    if (!OutpostJobStore.class.getName().equals(p.getProperty(JOB_STORE_CLASS))
        && !config.quartzProperties().containsKey(FAILURE_GRACE)) {
      // Another job store (the application's choice) knows no failure grace.
      p.remove(FAILURE_GRACE);
    }
    return p;
  }

  private static void shutdownQuietly(Scheduler scheduler) {
    try {
      scheduler.shutdown(false);
    } catch (SchedulerException e) {
      log.debug("could not shut down a Quartz scheduler that failed to start", e);
    }
  }
}
