package dev.outpost.outbox;

import dev.outpost.outbox.internal.JacksonPayload;
import java.nio.charset.StandardCharsets;

/**
 * Turns an application value into the bytes of a message payload. Bytes and UTF-8 strings are built
 * in ({@link OutboxMessage.Builder#payload(byte[])}, {@link OutboxMessage.Builder#payload(String)},
 * or {@link #bytes()} and {@link #utf8()}), JSON through Jackson ({@link
 * OutboxMessage.Builder#payloadJson(Object)} or {@link #json()}); Avro, Protobuf and others plug in
 * here:
 *
 * <pre>{@code
 * PayloadSerializer<OrderCreated> avro = event -> avroWriter.toBytes(event);
 * OutboxMessage.to("orders").key(id).payload(event, avro).header("content-type", "avro/binary");
 * }</pre>
 *
 * <p>Implementations must be thread-safe and must not return {@code null}; the builder copies the
 * returned bytes, so an implementation may reuse its buffer.
 *
 * @param <T> the type of value serialized
 */
@FunctionalInterface
public interface PayloadSerializer<T> {

  /**
   * Serializes {@code value}.
   *
   * @throws IllegalArgumentException if the value cannot be serialized
   */
  byte[] serialize(T value);

  /**
   * The bytes as they are.
   *
   * @throws IllegalArgumentException from {@link #serialize} for a {@code null} value
   */
  static PayloadSerializer<byte[]> bytes() {
    return value -> {
      if (value == null) {
        throw new IllegalArgumentException("payload bytes must not be null; use new byte[0]");
      }
      return value;
    };
  }

  /**
   * Text as UTF-8.
   *
   * @throws IllegalArgumentException from {@link #serialize} for a {@code null} value
   */
  static PayloadSerializer<String> utf8() {
    return value -> {
      if (value == null) {
        throw new IllegalArgumentException("payload text must not be null; use \"\"");
      }
      return value.getBytes(StandardCharsets.UTF_8);
    };
  }

  /**
   * JSON written by a shared Jackson {@code ObjectMapper} with the modules found on the classpath
   * (needs {@code jackson-databind}). Unlike {@link OutboxMessage.Builder#payloadJson(Object)} it
   * sets no {@code content-type} header.
   *
   * @throws IllegalArgumentException from {@link #serialize} if Jackson is missing or cannot write
   *     the value
   */
  static PayloadSerializer<Object> json() {
    return JacksonPayload::write;
  }
}
