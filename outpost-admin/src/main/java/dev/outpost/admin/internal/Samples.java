package dev.outpost.admin.internal;

import dev.outpost.admin.internal.Operations.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * Backlog and throughput over the last minutes, sampled whenever the console reads the status (the
 * page polls every two seconds), so there is no background thread. Rates are estimates: written per
 * second follows the highest outbox id (identity gaps count as writes), published per second is
 * written minus the growth of backlog and dead letters. Thread-safe.
 */
final class Samples {

  /** How far back the chart goes. */
  static final Duration WINDOW = Duration.ofMinutes(10);

  private static final Duration MIN_INTERVAL = Duration.ofMillis(900);

  /**
   * One point of the chart.
   *
   * @param at when
   * @param pending backlog
   * @param deadLetters dead letters
   * @param writtenPerSecond messages written per second since the previous point
   * @param publishedPerSecond messages published per second since the previous point
   */
  record Sample(
      Instant at,
      long pending,
      long deadLetters,
      double writtenPerSecond,
      double publishedPerSecond) {}

  private final Deque<Sample> samples = new ArrayDeque<>();
  private long highestId = -1;

  synchronized List<Sample> add(Status s) {
    Sample last = samples.peekLast();
    if (last == null || Duration.between(last.at(), s.at()).compareTo(MIN_INTERVAL) >= 0) {
      double written = 0;
      double published = 0;
      long highest = Math.max(highestId, s.highestOutboxId());
      if (last != null && highestId >= 0) {
        double seconds = Duration.between(last.at(), s.at()).toMillis() / 1000.0;
        long writes = highest - highestId;
        long drained =
            writes - (s.pending() - last.pending()) - (s.deadLetters() - last.deadLetters());
        written = writes / seconds;
        published = Math.max(0, drained) / seconds;
      }
      highestId = highest;
      samples.addLast(new Sample(s.at(), s.pending(), s.deadLetters(), written, published));
      while (!samples.isEmpty() && samples.peekFirst().at().isBefore(s.at().minus(WINDOW))) {
        samples.removeFirst();
      }
    }
    return new ArrayList<>(samples);
  }
}
