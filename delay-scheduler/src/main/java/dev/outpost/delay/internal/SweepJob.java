package dev.outpost.delay.internal;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.quartz.DisallowConcurrentExecution;
import org.quartz.Job;
import org.quartz.JobExecutionContext;
import org.quartz.SchedulerException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recurring Quartz job: finds this node's {@link Sweeper} in the scheduler's context (under the
 * key stored in the job data) and runs one sweep. It holds no time logic of its own.
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
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  /** For Quartz. */
  public SweepJob() {}

  @Override
  public void execute(JobExecutionContext context) {
    String key = context.getMergedJobDataMap().getString(CONTEXT_KEY);
    Object sweeper;
    String node;
    try {
      sweeper = context.getScheduler().getContext().get(key);
      node =
          context.getScheduler().getSchedulerName()
              + '/'
              + context.getScheduler().getSchedulerInstanceId();
    } catch (SchedulerException e) {
      log.warn("could not read the Quartz scheduler context; sweep skipped", e);
      return;
    }
    if (sweeper instanceof Sweeper s) {
      s.sweepInBackground();
      return;
    }
    // A node of the cluster without a (started, not closed) DelayScheduler took the fire: say so
    // once per node, not at every fire.
    String message =
        "Quartz node {} fired the delay sweep '{}' but runs no started DelayScheduler for it;"
            + " every node of the Quartz cluster needs one (sweep skipped on this node)";
    if (WARNED.add(node + ' ' + key)) {
      log.warn(message, node, key);
    } else {
      log.debug(message, node, key);
    }
  }
}
