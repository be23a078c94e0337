package dev.outpost.delay;

import java.time.Duration;

/**
 * What one sweep ({@link DelayScheduler#runOnce()}) did.
 *
 * @param moved messages moved from the delayed table into the outbox
 * @param duplicatesDropped due messages whose message id was already in the outbox: removed from
 *     the delayed table without a second outbox row (consumers would have skipped them as
 *     duplicates anyway); normally 0
 * @param batches move statements run (each moves at most the configured batch size)
 * @param maxLateness the longest time a moved message had been due when its batch committed into
 *     the outbox (clock at commit minus due time); {@link Duration#ZERO} when nothing moved
 */
public record SweepResult(long moved, long duplicatesDropped, int batches, Duration maxLateness) {

  /** A sweep that found nothing due. */
  public static final SweepResult NOTHING_DUE = new SweepResult(0, 0, 0, Duration.ZERO);
}
