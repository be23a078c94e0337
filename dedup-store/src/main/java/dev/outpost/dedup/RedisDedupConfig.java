package dev.outpost.dedup;

import java.time.Duration;

/**
 * Validated configuration of a {@link RedisDedup}, as built by {@link RedisDedup.Builder}. Holds no
 * connection details, so printing it never shows a password.
 *
 * @param lease how long a claim holds a message while its work runs; must exceed the longest run of
 *     the work, or a redelivery may run the work a second time
 * @param retention how long a processed message is remembered; must exceed the longest time after
 *     which the message can be delivered again
 * @param keyPrefix prefix of every key ({@code <keyPrefix><consumer>:<messageId>})
 * @param commandTimeout bound on each Redis command
 * @param connectTimeout bound on opening the connection
 */
public record RedisDedupConfig(
    Duration lease,
    Duration retention,
    String keyPrefix,
    Duration commandTimeout,
    Duration connectTimeout) {}
