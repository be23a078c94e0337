package dev.outpost.delay.internal;

import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recurring Quartz job: finds this node's {@link Sweeper} in the scheduler's context (under
 * the key stored in the job data) and runs one sweep. It holds no time logic of its own.
 *
 * <p>{@link DisallowConcurrentExecution} makes the clustered job store run it on one node at a
 * time, so Quartz-driven sweeps never compete and batches reach the outbox in due order. Public
 * with a no-argument constructor so that any {@code JobFactory} can create it.
 */
@DisallowConcurrentExecution
public final class SweepJob implements Job {

  /** Job data key holding the scheduler-context key of the sweeper. */
  static final String CONTEXT_KEY = "outpost.sweeperContextKey";

  private static final Logger log = LoggerFactory.getLogger(SweepJob.class);

  /** For Quartz. */
  public SweepJob() {}

  @Override
  public void execute(JobExecutionContext context) {
    String key = context.getMergedJobDataMap().getString(CONTEXT_KEY);
    Object sweeper;
    try {
      sweeper = context.getScheduler().getContext().get(key);
    } catch (SchedulerException e) {
      log.warn("could not read the Quartz scheduler context; sweep skipped", e);
      return;
    }
    if (sweeper instanceof Sweeper s) {
      s.sweepFromQuartz();
    } else {
      // A node of the cluster without a (started) DelayScheduler for this schema took the fire.
      log.warn(
          "Quartz fired the delay sweep '{}' on a scheduler without a started DelayScheduler for"
              + " it; every node of the Quartz cluster must run one (sweep skipped)",
          key);
    }
  }
}
