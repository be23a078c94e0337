package dev.outpost.relay.internal;

import dev.outpost.outbox.internal.OutboxMessageSql.DeadLetterMove;
import dev.outpost.outbox.internal.OutboxMessageSql.Retry;
import dev.outpost.relay.PublishResult;
import dev.outpost.relay.RelayMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What to do with a published window's rows, decided from the publisher's results.
 *
 * <p>Per-key order: once a message of key K is not confirmed, the later messages of K in the same
 * window are <em>held</em>: left untouched (no attempt counted) even if the publisher confirmed
 * them, so they are published again after K's head (a duplicate, never a reordering of the rows
 * that stay). The claim query keeps held rows back while K's head backs off or K is parked; when
 * K's head was dead-lettered and keys are not parked, they come in the next window. Holding them
 * instead of counting their results also keeps a publisher's "not sent because an earlier message
 * of the key failed" from using up their attempts.
 *
 * @param confirmedIds rows to delete
 * @param retries rows to reschedule
 * @param deadLetters rows to move to the dead-letter table
 * @param held rows left as they are
 * @param published confirmed messages per topic
 * @param failed failed (retried) messages per topic
 * @param deadLettered dead-lettered messages per topic
 * @param nextRetryAt earliest retry time among {@code retries}, or null
 * @param unavailable the cause of the first {@link PublishResult.Unavailable} result (those rows
 *     are left as they are, like held ones, and the relay opens its circuit breaker), or null
 * @param recovered messages per topic confirmed after earlier failed attempts
 * @param deadLetterErrors the last dead-letter reason per topic
 */
record BatchPlan(
    long[] confirmedIds,
    List<Retry> retries,
    List<DeadLetterMove> deadLetters,
    int held,
    Map<String, Integer> published,
    Map<String, Integer> failed,
    Map<String, Integer> deadLettered,
    Instant nextRetryAt,
    Throwable unavailable,
    Map<String, Integer> recovered,
    Map<String, String> deadLetterErrors) {

  /** Decides the outcome of {@code window} from {@code results} (same order), at {@code now}. */
  static BatchPlan of(
      List<RelayMessage> window,
      List<PublishResult> results,
      Instant now,
      Backoff backoff,
      int maxAttempts) {
    long[] confirmed = new long[window.size()];
    int confirmedCount = 0;
    List<Retry> retries = new ArrayList<>();
    List<DeadLetterMove> deadLetters = new ArrayList<>();
    Map<String, Integer> published = new LinkedHashMap<>();
    Map<String, Integer> failed = new LinkedHashMap<>();
    Map<String, Integer> deadLettered = new LinkedHashMap<>();
    Map<String, Integer> recovered = new LinkedHashMap<>();
    Map<String, String> deadLetterErrors = new LinkedHashMap<>();
    Set<String> blockedKeys = new HashSet<>();
    Throwable unavailable = null;
    Instant nextRetryAt = null;
    int held = 0;
    // Confirmed messages are counted per run of one topic (a window is usually one topic), so
    // the common all-confirmed window does no map work per message.
    String runTopic = null;
    int run = 0;
    for (int i = 0; i < window.size(); i++) {
      RelayMessage message = window.get(i);
      String key = message.key();
      if (key != null && !blockedKeys.isEmpty() && blockedKeys.contains(key)) {
        held++;
        continue;
      }
      PublishResult result = results.get(i);
      int attempts = message.attempts() + 1;
      if (result instanceof PublishResult.Confirmed) {
        confirmed[confirmedCount++] = message.id();
        if (!message.topic().equals(runTopic)) {
          if (run > 0) {
            published.merge(runTopic, run, Integer::sum);
          }
          runTopic = message.topic();
          run = 0;
        }
        run++;
        if (message.attempts() > 0) {
          recovered.merge(message.topic(), 1, Integer::sum);
        }
      } else if (result instanceof PublishResult.Unavailable u) {
        // Not the message's fault: left as it is, no attempt counted, never dead-lettered.
        unavailable = unavailable == null ? u.cause() : unavailable;
        held++;
        if (key != null) {
          blockedKeys.add(key);
        }
      } else if (result instanceof PublishResult.Failed f && attempts < maxAttempts) {
        Instant at = now.plus(backoff.delayAfter(attempts));
        retries.add(new Retry(message.id(), at, describe(f.cause())));
        nextRetryAt = nextRetryAt == null || at.isBefore(nextRetryAt) ? at : nextRetryAt;
        failed.merge(message.topic(), 1, Integer::sum);
        if (key != null) {
          blockedKeys.add(key);
        }
      } else {
        String error =
            result instanceof PublishResult.Rejected r
                ? "rejected by the publisher: " + describe(r.cause())
                : "failed "
                    + attempts
                    + " times; last: "
                    + describe(((PublishResult.Failed) result).cause());
        deadLetters.add(new DeadLetterMove(message.id(), attempts, error));
        deadLettered.merge(message.topic(), 1, Integer::sum);
        deadLetterErrors.put(message.topic(), error);
        if (key != null) {
          blockedKeys.add(key);
        }
      }
    }
    if (run > 0) {
      published.merge(runTopic, run, Integer::sum);
    }
    long[] ids = new long[confirmedCount];
    System.arraycopy(confirmed, 0, ids, 0, confirmedCount);
    return new BatchPlan(
        ids,
        retries,
        deadLetters,
        held,
        published,
        failed,
        deadLettered,
        nextRetryAt,
        unavailable,
        recovered,
        deadLetterErrors);
  }

  /** {@code ClassName: message}, plus the root cause when there is a different one. */
  static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown";
    }
    String text = cause.getClass().getName() + ": " + cause.getMessage();
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root == cause
        ? text
        : text + " (caused by " + root.getClass().getName() + ": " + root.getMessage() + ')';
  }
}
