package dev.outpost.relay;

import java.time.Instant;

/**
 * The messages waiting in the outbox in one logical partition, from {@link OutboxBacklog}.
 *
 * @param partition the logical partition
 * @param messages messages waiting (new and retrying)
 * @param oldestCreatedAt creation time of the oldest waiting message
 */
public record PartitionBacklog(int partition, long messages, Instant oldestCreatedAt) {}
