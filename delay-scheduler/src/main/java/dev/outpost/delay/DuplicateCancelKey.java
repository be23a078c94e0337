package dev.outpost.delay;

/**
 * What {@link DelayScheduler#schedule} does when a message with the same topic and cancel key is
 * still pending (scheduled and neither delivered nor cancelled).
 *
 * <p>Either way exactly one message per topic and cancel key is pending afterwards, also when two
 * transactions schedule the same key at the same time (the second waits for the first to commit and
 * then applies the policy). Once a message has been moved into the outbox its cancel key is free
 * again: scheduling it again creates a new pending message.
 */
public enum DuplicateCancelKey {

  /**
   * The new message replaces the pending one: its payload, headers, key, message id and due time
   * win, the old message is never delivered. The result is {@link
   * ScheduledMessage.Outcome#REPLACED}. Use it when the latest schedule should win ("remind me one
   * hour after the last change").
   */
  REPLACE,

  /**
   * The pending message stays as it is and the new one is dropped; the result carries the pending
   * message's id and due time and is {@link ScheduledMessage.Outcome#KEPT_EXISTING}. Use it when a
   * retried request must not move the deadline.
   */
  KEEP_EXISTING
}
