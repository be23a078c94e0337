package dev.outpost.delay;

import java.time.Instant;

/**
 * The delayed messages waiting to be moved into the outbox, from {@link DelayScheduler#pending()}.
 *
 * @param count messages scheduled and not yet moved (cancelled ones are gone)
 * @param nextDueAt the earliest due time among them, or null when none is pending
 */
public record PendingDelayed(long count, Instant nextDueAt) {}
