package dev.outpost.relay.brokers.internal;

import dev.outpost.relay.PublishResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntConsumer;

/**
 * The outcomes of one batch handed to a broker publisher: one slot per message, each set once (the
 * first outcome wins, so a late broker confirm cannot overwrite a timeout and vice versa). When the
 * last slot is set, the stage completes with the results in batch order, on the completion
 * executor, so that callers' continuations never run on a broker client's I/O thread.
 *
 * <p>Thread-safe.
 */
public final class BatchOutcome {

  private final AtomicReferenceArray<PublishResult> results;
  private final AtomicInteger remaining;
  private final CompletableFuture<List<PublishResult>> done = new CompletableFuture<>();
  private final Executor completionExecutor;
  private volatile ScheduledFuture<?> expiry;

  /**
   * An outcome for {@code size} messages.
   *
   * @param completionExecutor runs the completion of {@link #stage()}; when it refuses (shut down),
   *     the stage completes on the thread that set the last slot
   */
  public BatchOutcome(int size, Executor completionExecutor) {
    this.results = new AtomicReferenceArray<>(size);
    this.remaining = new AtomicInteger(size);
    this.completionExecutor = completionExecutor;
    if (size == 0) {
      done.complete(List.of());
    }
  }

  /** Completes with one result per message, in batch order; never exceptionally. */
  public CompletionStage<List<PublishResult>> stage() {
    return done;
  }

  /** Number of messages. */
  public int size() {
    return results.length();
  }

  /**
   * Sets the outcome of message {@code index} unless it already has one.
   *
   * @return whether this call set it
   */
  public boolean complete(int index, PublishResult result) {
    if (!results.compareAndSet(index, null, result)) {
      return false;
    }
    if (remaining.decrementAndGet() == 0) {
      finish();
    }
    return true;
  }

  /** The outcome of message {@code index}, or {@code null} while it has none. */
  public PublishResult result(int index) {
    return results.get(index);
  }

  /** Marks every message from {@code from} on that has no outcome yet as failed. */
  public void failFrom(int from, Throwable cause) {
    for (int i = from; i < results.length(); i++) {
      complete(i, PublishResult.failed(cause));
    }
  }

  /** Marks every message from {@code from} on that has no outcome yet as unavailable. */
  public void unavailableFrom(int from, Throwable cause) {
    for (int i = from; i < results.length(); i++) {
      complete(i, PublishResult.unavailable(cause));
    }
  }

  /** Whether every message has an outcome. */
  public boolean isDone() {
    return remaining.get() == 0;
  }

  /**
   * After {@code timeout}, calls {@code onExpire} for every message still without an outcome (which
   * must then set one). Cancelled when the batch completes first.
   */
  public void expireAfter(ScheduledExecutorService timer, Duration timeout, IntConsumer onExpire) {
    if (isDone()) {
      return;
    }
    Runnable expire =
        () -> {
          for (int i = 0; i < results.length(); i++) {
            if (results.get(i) == null) {
              onExpire.accept(i);
            }
          }
        };
    try {
      expiry = timer.schedule(expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      expire.run();
      return;
    }
    if (isDone()) {
      expiry.cancel(false);
    }
  }

  private void finish() {
    ScheduledFuture<?> pending = expiry;
    if (pending != null) {
      pending.cancel(false);
    }
    List<PublishResult> list = new ArrayList<>(results.length());
    for (int i = 0; i < results.length(); i++) {
      list.add(results.get(i));
    }
    // Not List.copyOf: callers may ask contains(null), which immutable lists answer with an NPE.
    List<PublishResult> view = Collections.unmodifiableList(list);
    try {
      completionExecutor.execute(() -> done.complete(view));
    } catch (RejectedExecutionException e) {
      done.complete(view);
    }
  }
}
