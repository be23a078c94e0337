package dev.outpost.outbox.internal;

import dev.outpost.outbox.OutboxConfig;
import dev.outpost.outbox.OutboxMessage;
import dev.outpost.outbox.Partitioner;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
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
    if (key != null && key.length() > config.maxKeyLength()) {
      throw new IllegalArgumentException(
          "key of message "
              + message.messageId()
              + " has "
              + key.length()
              + " characters; the limit (maxKeyLength) is "
              + config.maxKeyLength());
    }
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
    Map<String, String> headers = message.headers();
    if (config.captureTraceContext()) {
      Map<String, String> withTrace = new LinkedHashMap<>(headers);
      TraceContext.captureInto(withTrace);
      headers = withTrace;
    }
    checkHeaders(message, headers);
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
      if (header.getKey().length() > config.maxHeaderNameLength()) {
        throw new IllegalArgumentException(
            "header name '"
                + header.getKey().substring(0, 32)
                + "...' has "
                + header.getKey().length()
                + " characters; the limit (maxHeaderNameLength) is "
                + config.maxHeaderNameLength());
      }
      if (header.getValue().length() > config.maxHeaderValueLength()) {
        throw new IllegalArgumentException(
            "header '"
                + header.getKey()
                + "' has a value of "
                + header.getValue().length()
                + " characters; the limit (maxHeaderValueLength) is "
                + config.maxHeaderValueLength());
      }
    }
  }
}
