package dev.outpost.relay.internal;

/**
 * Proof of ownership of one partition: every statement that changes the partition's outbox rows
 * checks that the lease row still carries this owner and fencing token.
 *
 * @param partition the partition
 * @param owner the relay instance id
 * @param fencingToken the token the lease got when this owner acquired it
 */
public record LeaseToken(int partition, String owner, long fencingToken) {}
