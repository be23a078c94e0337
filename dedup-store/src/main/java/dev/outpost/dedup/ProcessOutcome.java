package dev.outpost.dedup;

/**
 * What a {@link DedupStore} did with one delivery of a message.
 *
 * <p>The database store ({@link DedupStore#database}) returns only {@link #PROCESSED} and {@link
 * #DUPLICATE}: its key commits or rolls back with the work. {@link RedisDedup} can also return
 * {@link #IN_PROGRESS} and {@link #PROCESSED_UNRECORDED}.
 */
public enum ProcessOutcome {

  /** The work ran and the message is recorded as processed. Acknowledge the delivery. */
  PROCESSED,

  /** The message was processed before; the work did not run. Acknowledge the delivery. */
  DUPLICATE,

  /**
   * Another delivery of the same message holds the claim and is still working on it (or crashed and
   * its lease has not expired yet); the work did not run. Do not acknowledge: have the message
   * delivered again later (requeue, or retry after a backoff). Once the other delivery finishes, a
   * redelivery is a {@link #DUPLICATE}; once its lease expires without a finish, a redelivery runs
   * the work.
   */
  IN_PROGRESS,

  /**
   * The work ran, but the store could not record it as done: the lease expired during the work and
   * another delivery claimed the message (the lease was too short for the work), or the store
   * failed after the work. A later delivery may run the work again. Acknowledge the delivery (the
   * effect happened) and look at the warning that was logged.
   */
  PROCESSED_UNRECORDED;

  /** Whether the work ran in this call ({@link #PROCESSED} or {@link #PROCESSED_UNRECORDED}). */
  public boolean ran() {
    return this == PROCESSED || this == PROCESSED_UNRECORDED;
  }

  /**
   * Whether the delivery can be acknowledged: the work ran, or an earlier delivery did it ({@link
   * #IN_PROGRESS} is the only outcome to redeliver).
   */
  public boolean acknowledge() {
    return this != IN_PROGRESS;
  }
}
