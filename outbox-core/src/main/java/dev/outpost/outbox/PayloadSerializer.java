package dev.outpost.outbox;

/**
 * Turns an application value into the bytes of a message payload. Bytes and UTF-8 strings are
 * built in ({@link OutboxMessage.Builder#payload(byte[])}, {@link
 * OutboxMessage.Builder#payload(String)}), JSON through Jackson ({@link
 * OutboxMessage.Builder#payloadJson(Object)}); Avro, Protobuf and others plug in here.
 *
 * <p>Implementations must be thread-safe and must not return {@code null}.
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
}
