package dev.outpost.outbox.internal;

import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.Partitioner;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

/**
 * Checks a message against the configured limits and turns it into a {@link PreparedMessage}.
 * Shared by the outbox writer and the delay scheduler so both enforce the same rules.
 */
public final class MessagePreparer {

  private final OutboxConfig config;
  private final Partitioner partitioner;

  /** A preparer enforcing {@code config}. */
  public MessagePreparer(OutboxConfig config) {
    this.config = config;
    this.partitioner = new Partitioner(config.partitions());
  }

  /** The partitioner in use. */
  public Partitioner partitioner() {
    return partitioner;
  }

  /**
   * Validates {@code message} and prepares its row, stamping {@code now} when it has no creation
   * time.
   *
   * @throws IllegalArgumentException naming the field and the limit it breaks
   */
  public PreparedMessage prepare(OutboxMessage message, Instant now) {
    if (message == null) {
      throw new IllegalArgumentException("message must not be null");
    }
    String key = message.key();
    checkKey(message, key);
    byte[] payload = message.payload();
    if (payload.length > config.maxPayloadBytes()) {
      throw new IllegalArgumentException(
          "payload of message "
              + message.messageId()
              + " to topic '"
              + message.topic()
              + "' is "
              + payload.length
              + " bytes; the limit (maxPayloadBytes) is "
              + config.maxPayloadBytes()
              + " bytes. Store large data elsewhere and send a reference, or raise the limit.");
    }
    // The limits apply to the application's own headers: whether the thread happens to carry a
    // trace context must not decide whether a send fails.
    checkHeaders(message, message.headers());
    Map<String, String> headers =
        config.captureTraceContext()
            ? TraceContext.withCurrent(message.headers())
            : message.headers();
    Instant createdAt = message.createdAt() == null ? now : message.createdAt();
    return new PreparedMessage(
        message.messageId(),
        message.topic(),
        key,
        partitioner.partitionFor(key),
        payload,
        HeadersJson.write(headers),
        createdAt.atOffset(ZoneOffset.UTC));
  }

  private void checkKey(OutboxMessage message, String key) {
    if (key == null) {
      return;
    }
    if (key.length() > config.maxKeyLength()) {
      throw new IllegalArgumentException(
          "key of message "
              + message.messageId()
              + " has "
              + key.length()
              + " characters; the limit (maxKeyLength) is "
              + config.maxKeyLength());
    }
    if (key.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(
          "key of message "
              + message.messageId()
              + " contains a NUL character (U+0000), which PostgreSQL text cannot store");
    }
  }

  private void checkHeaders(OutboxMessage message, Map<String, String> headers) {
    if (headers.size() > config.maxHeaders()) {
      throw new IllegalArgumentException(
          "message "
              + message.messageId()
              + " has "
              + headers.size()
              + " headers; the limit (maxHeaders) is "
              + config.maxHeaders());
    }
    for (Map.Entry<String, String> header : headers.entrySet()) {
      String name = header.getKey();
      String value = header.getValue();
      if (name.length() > config.maxHeaderNameLength()) {
        throw new IllegalArgumentException(
            "header name '"
                + abbreviate(name)
                + "' of message "
                + message.messageId()
                + " has "
                + name.length()
                + " characters; the limit (maxHeaderNameLength) is "
                + config.maxHeaderNameLength());
      }
      if (value.length() > config.maxHeaderValueLength()) {
        throw new IllegalArgumentException(
            "header '"
                + abbreviate(name)
                + "' of message "
                + message.messageId()
                + " has a value of "
                + value.length()
                + " characters; the limit (maxHeaderValueLength) is "
                + config.maxHeaderValueLength());
      }
      if (name.indexOf('\0') >= 0 || value.indexOf('\0') >= 0) {
        throw new IllegalArgumentException(
            "header '"
                + abbreviate(name)
                + "' of message "
                + message.messageId()
                + " contains a NUL character (U+0000), which PostgreSQL jsonb cannot store");
      }
    }
  }

  private static String abbreviate(String text) {
    return text.length() <= 32 ? text : text.substring(0, 32) + "...";
  }
}
