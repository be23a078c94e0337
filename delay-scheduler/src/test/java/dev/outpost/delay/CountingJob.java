package dev.outpost.delay;

import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.Job;
import org.quartz.JobExecutionContext;

/** An application's own Quartz job: counts its runs. */
public class CountingJob implements Job {

  static final AtomicInteger RUNS = new AtomicInteger();

  @Override
  public void execute(JobExecutionContext context) {
    RUNS.incrementAndGet();
  }
}
