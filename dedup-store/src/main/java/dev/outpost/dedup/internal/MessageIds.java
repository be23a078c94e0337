package dev.outpost.dedup.internal;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The dedup id of a message id as a broker carries it (a Kafka header, an AMQP {@code messageId}, a
 * RocketMQ user property): the same rule for every consumer helper.
 */
public final class MessageIds {

  private MessageIds() {}

  /**
   * The UUID that the UTF-8 text {@code id} spells (surrounding white space ignored), as Outpost's
   * publishers write it; for any other id a name-based UUID of its bytes ({@code
   * UUID.nameUUIDFromBytes(id)}), so it still deduplicates.
   */
  public static UUID of(byte[] id) {
    try {
      return UUID.fromString(new String(id, StandardCharsets.UTF_8).trim());
    } catch (IllegalArgumentException notAUuid) {
      return UUID.nameUUIDFromBytes(id);
    }
  }

  /** {@link #of(byte[])} of the UTF-8 bytes of {@code id}. */
  public static UUID of(String id) {
    return of(id.getBytes(StandardCharsets.UTF_8));
  }
}
