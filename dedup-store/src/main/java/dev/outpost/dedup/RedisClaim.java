package dev.outpost.dedup;

import java.time.Instant;
import java.util.UUID;

/**
 * The claim a {@link RedisDedup} holds on one message while its work runs, handed to the work.
 *
 * <p>Work that is about to do something irreversible late in a long run can compare {@link
 * #leaseExpiresAt()} with the clock: after it, another delivery may already have claimed the
 * message and be doing the same.
 *
 * @param consumer the consumer name
 * @param messageId the message id
 * @param leaseExpiresAt when the claim expires, by the store's clock read just before claiming (the
 *     claim expires in Redis no earlier than this)
 */
public record RedisClaim(String consumer, UUID messageId, Instant leaseExpiresAt) {}
