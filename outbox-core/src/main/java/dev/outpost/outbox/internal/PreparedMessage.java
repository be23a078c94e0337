package dev.outpost.outbox.internal;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * A validated message with everything its row needs: partition, headers as JSON, timestamps.
 *
 * @param messageId stable message id
 * @param topic destination
 * @param key ordering key, nullable
 * @param partitionNo logical partition
 * @param payload payload bytes (not copied again)
 * @param headersJson headers as a JSON object
 * @param createdAt creation time
 */
public record PreparedMessage(
    UUID messageId,
    String topic,
    String key,
    int partitionNo,
    byte[] payload,
    String headersJson,
    OffsetDateTime createdAt) {}
