package dev.outpost.admin.internal;

import dev.outpost.admin.internal.Plans.DeadLetterPlan;
import dev.outpost.admin.internal.Plans.KeyNote;
import dev.outpost.admin.internal.Rows.DeadLetterRow;
import java.util.List;

/**
 * The JSON shape of a dead-letter plan (its dry run): counts, notes per key and the first rows.
 *
 * @param action replay or purge
 * @param filter the filter, described
 * @param dryRun always true for a plan view
 * @param matched dead letters the filter matched
 * @param total dead letters the action takes (matched plus those taken along for order)
 * @param batches number of batches
 * @param keys notes per key
 * @param rows the first {@link #MAX_ROWS} rows in execution order
 */
public record PlanView(
    String action,
    String filter,
    boolean dryRun,
    long matched,
    int total,
    int batches,
    List<KeyNote> keys,
    List<DeadLetterRow> rows) {

  /** Rows shown in a preview. */
  public static final int MAX_ROWS = 100;

  /** The view of {@code plan}. */
  public static PlanView of(DeadLetterPlan plan) {
    return new PlanView(
        plan.action(),
        plan.filter(),
        true,
        plan.matched(),
        plan.total(),
        plan.batches().size(),
        plan.keys(),
        plan.rows().subList(0, Math.min(MAX_ROWS, plan.rows().size())));
  }
}
