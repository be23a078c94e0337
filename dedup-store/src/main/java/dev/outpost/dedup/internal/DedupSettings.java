package dev.outpost.dedup.internal;

import java.time.Clock;

/**
 * Validated configuration of a dedup store.
 *
 * @param schema schema of the {@code dedup_key} table
 * @param clock stamps {@code processed_at}
 * @param meters where counts go besides the plain counters
 */
public record DedupSettings(String schema, Clock clock, DedupMeters meters) {}
