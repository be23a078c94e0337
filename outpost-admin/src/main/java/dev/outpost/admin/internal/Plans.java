package dev.outpost.admin.internal;

import dev.outpost.admin.internal.Rows.DeadLetterRow;
import dev.outpost.admin.internal.Rows.DelayedRow;
import java.time.Instant;
import java.util.List;

/** What a bulk action would do (its dry run) and what it did. */
public final class Plans {

  private Plans() {}

  /**
   * What one key's part of a replay or purge means for its order.
   *
   * @param key the message key
   * @param partition its partition
   * @param selected dead letters of the key in the plan
   * @param addedForOrder of those, how many the filter did not match but the replay takes along so
   *     the key resumes in its original order
   * @param remaining dead letters of the key left behind (they keep the key parked)
   * @param pendingBefore older messages of the key still pending in the outbox
   * @param pendingAfter newer messages of the key pending in the outbox (held back while parked)
   * @param note the consequence in one sentence
   */
  public record KeyNote(
      String key,
      int partition,
      int selected,
      int addedForOrder,
      int remaining,
      long pendingBefore,
      long pendingAfter,
      String note) {}

  /**
   * A replay or purge of dead letters.
   *
   * @param action {@code replay} or {@code purge}
   * @param filter the filter, described
   * @param matched dead letters the filter matched
   * @param rows the dead letters the action takes, in execution order
   * @param batches message ids per batch, in execution order (a key's rows stay together when they
   *     fit in one batch)
   * @param keys notes per key with something to say about order
   */
  public record DeadLetterPlan(
      String action,
      String filter,
      long matched,
      List<DeadLetterRow> rows,
      List<List<java.util.UUID>> batches,
      List<KeyNote> keys) {

    /** Number of dead letters the action takes. */
    public int total() {
      return rows.size();
    }
  }

  /**
   * A cancel of delayed messages.
   *
   * @param filter the filter, described
   * @param rows the delayed messages it takes
   */
  public record DelayedPlan(String filter, List<DelayedRow> rows) {}

  /**
   * What a bulk action did.
   *
   * @param action what ran
   * @param filter the filter, described
   * @param dryRun true when nothing was changed
   * @param planned rows it meant to touch
   * @param affected rows it touched (a replayed row whose message id is back in the outbox already
   *     stays a dead letter and does not count)
   * @param at when it finished
   */
  public record BulkResult(
      String action, String filter, boolean dryRun, long planned, long affected, Instant at) {}
}
