package dev.outpost.dedup;

import java.time.Instant;

/**
 * What one purge run did.
 *
 * @param cutoff keys processed strictly before this instant were eligible
 * @param deleted the number of keys deleted
 * @param batches the number of {@code DELETE} statements (each its own short transaction),
 *     including the last one that found fewer keys than the batch size
 * @param largestBatch the most keys one statement deleted; never above the configured batch size
 */
public record PurgeResult(Instant cutoff, long deleted, int batches, int largestBatch) {}
