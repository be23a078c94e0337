package dev.outpost.dedup;

/**
 * How often {@link Dedup#processOnce processOnce} ran the work ({@code processed}) and skipped it
 * as a duplicate ({@code duplicates}) for one consumer, since the {@link Dedup} was built.
 *
 * <p>Counted when {@code processOnce} returns: a caller's transaction that rolls back afterwards is
 * not subtracted, and a call whose work throws counts in neither. Readable without Micrometer.
 *
 * @param processed calls that inserted the key and ran the work without throwing
 * @param duplicates calls that found the key already recorded and skipped the work
 */
public record DedupCounts(long processed, long duplicates) {

  /** No calls yet. */
  public static final DedupCounts ZERO = new DedupCounts(0, 0);
}
