package dev.outpost.relay.brokers.internal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads a broker publisher owns: one timer for confirm deadlines and a cached pool that
 * completes batch stages. Both create their threads on first use (never in a constructor), are
 * daemon threads named {@code <prefix>-timer} and {@code <prefix>-completion-<n>}.
 *
 * <p>Thread-safe; {@link #close(Duration)} is idempotent.
 */
public final class PublisherThreads {

  private final ScheduledThreadPoolExecutor timer;
  private final ThreadPoolExecutor completion;

  /** Threads named after {@code prefix}, e.g. {@code outpost-kafka-publisher}. */
  public PublisherThreads(String prefix) {
    timer = new ScheduledThreadPoolExecutor(1, named(prefix + "-timer"));
    timer.setRemoveOnCancelPolicy(true);
    timer.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    completion =
        new ThreadPoolExecutor(
            0,
            Integer.MAX_VALUE,
            30,
            TimeUnit.SECONDS,
            new SynchronousQueue<>(),
            named(prefix + "-completion"));
  }

  /** Runs deadlines. */
  public ScheduledExecutorService timer() {
    return timer;
  }

  /** Completes batch stages and runs short clean-up work off the broker clients' threads. */
  public ExecutorService completion() {
    return completion;
  }

  /**
   * Runs tasks on {@link #completion()}, or on the calling thread once it is shut down, so that a
   * stage chained after {@link #close(Duration)} still completes (never with a rejection).
   */
  public Executor completionOrCaller() {
    return task -> {
      try {
        completion.execute(task);
      } catch (RejectedExecutionException e) {
        task.run();
      }
    };
  }

  /** Stops both, waiting up to {@code wait} for running tasks; restores the interrupt flag. */
  public void close(Duration wait) {
    timer.shutdownNow();
    completion.shutdown();
    try {
      if (!completion.awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
        completion.shutdownNow();
      }
    } catch (InterruptedException e) {
      completion.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory named(String name) {
    AtomicInteger counter = new AtomicInteger();
    return runnable -> {
      String threadName = name.endsWith("-timer") ? name : name + "-" + counter.incrementAndGet();
      Thread thread = new Thread(runnable, threadName);
      thread.setDaemon(true);
      return thread;
    };
  }
}
