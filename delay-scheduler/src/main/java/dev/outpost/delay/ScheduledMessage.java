package dev.outpost.delay;

import java.time.Instant;
import java.util.UUID;

/**
 * What a {@link DelayScheduler#schedule} call left pending in the caller's transaction.
 *
 * @param messageId id of the pending message: the given message's id, or with {@link
 *     Outcome#KEPT_EXISTING} the id of the message that was already pending
 * @param deliverAt when the pending message falls due (PostgreSQL precision: microseconds, rounded
 *     up so it is never earlier than requested)
 * @param outcome whether a new message was added, replaced a pending one, or was dropped
 */
public record ScheduledMessage(UUID messageId, Instant deliverAt, Outcome outcome) {

  /** How the call treated a pending message with the same topic and cancel key. */
  public enum Outcome {
    /** No message with this cancel key was pending (or none was given); the message was added. */
    SCHEDULED,
    /** A pending message with this cancel key was replaced ({@link DuplicateCancelKey#REPLACE}). */
    REPLACED,
    /**
     * A message with this cancel key was pending and stays; the given message was dropped ({@link
     * DuplicateCancelKey#KEEP_EXISTING}).
     */
    KEPT_EXISTING
  }
}
