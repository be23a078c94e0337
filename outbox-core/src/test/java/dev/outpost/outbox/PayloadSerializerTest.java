package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PayloadSerializerTest {

  /** A user's own binary format, the way an Avro or Protobuf serializer plugs in. */
  record Reading(int sensor, long value) {}

  /** Reuses one buffer per thread, as fast serializers do; the builder must copy. */
  static final class ReadingSerializer implements PayloadSerializer<Reading> {
    private final ThreadLocal<ByteBuffer> buffer =
        ThreadLocal.withInitial(() -> ByteBuffer.allocate(12));

    @Override
    public byte[] serialize(Reading value) {
      ByteBuffer out = buffer.get().clear();
      out.putInt(value.sensor()).putLong(value.value());
      return out.array();
    }
  }

  @Nested
  class Utf8 extends PayloadSerializerContract<String> {
    @Override
    PayloadSerializer<String> serializer() {
      return PayloadSerializer.utf8();
    }

    @Override
    List<String> values() {
      return List.of("grüße", "hello");
    }
  }

  @Nested
  class Bytes extends PayloadSerializerContract<byte[]> {
    @Override
    PayloadSerializer<byte[]> serializer() {
      return PayloadSerializer.bytes();
    }

    @Override
    List<byte[]> values() {
      return List.of(new byte[] {1, 2}, new byte[0]);
    }
  }

  @Nested
  class Json extends PayloadSerializerContract<Object> {
    @Override
    PayloadSerializer<Object> serializer() {
      return PayloadSerializer.json();
    }

    @Override
    List<Object> values() {
      return List.of(Map.of("a", 1), List.of("x", "y"));
    }
  }

  @Nested
  class UsersOwn extends PayloadSerializerContract<Reading> {
    private final ReadingSerializer serializer = new ReadingSerializer();

    @Override
    PayloadSerializer<Reading> serializer() {
      return serializer;
    }

    @Override
    List<Reading> values() {
      return List.of(new Reading(1, 42), new Reading(2, 7));
    }
  }

  @Test
  void copies_the_bytes_so_a_reused_buffer_cannot_change_a_built_message() {
    ReadingSerializer serializer = new ReadingSerializer();

    OutboxMessage first =
        OutboxMessage.to("readings").payload(new Reading(1, 1), serializer).build();
    OutboxMessage second =
        OutboxMessage.to("readings").payload(new Reading(2, 2), serializer).build();

    assertThat(ByteBuffer.wrap(first.payload()).getInt()).isEqualTo(1);
    assertThat(ByteBuffer.wrap(second.payload()).getInt()).isEqualTo(2);
  }

  @Test
  void writes_text_as_utf8() {
    assertThat(PayloadSerializer.utf8().serialize("é"))
        .isEqualTo("é".getBytes(StandardCharsets.UTF_8));
    assertThat(OutboxMessage.to("t").payload("é").build().payload())
        .isEqualTo(new byte[] {(byte) 0xC3, (byte) 0xA9});
  }

  @Test
  void rejects_a_serializer_that_returns_null() {
    PayloadSerializer<String> broken = value -> null;

    assertThatThrownBy(() -> OutboxMessage.to("t").payload("x", broken))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("serializer ")
        .hasMessageEndingWith(
            " returned null; a PayloadSerializer must return bytes (new byte[0] when empty)");
  }

  @Test
  void passes_on_the_serializers_own_error() {
    PayloadSerializer<String> strict =
        value -> {
          throw new IllegalArgumentException("schema 'order-v2' has no field 'total'");
        };

    assertThatThrownBy(() -> OutboxMessage.to("t").payload("x", strict))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("schema 'order-v2' has no field 'total'");
  }

  @Test
  void rejects_a_missing_serializer_and_null_values_of_the_built_in_ones() {
    assertThatThrownBy(() -> OutboxMessage.to("t").payload("x", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("serializer must not be null");
    assertThatThrownBy(() -> OutboxMessage.to("t").payload(null, PayloadSerializer.utf8()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("payload text must not be null; use \"\"");
    assertThatThrownBy(() -> OutboxMessage.to("t").payload(null, PayloadSerializer.bytes()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("payload bytes must not be null; use new byte[0]");
  }

  @Test
  void sets_no_content_type_through_the_json_serializer() {
    OutboxMessage message =
        OutboxMessage.to("t").payload(Map.of("a", 1), PayloadSerializer.json()).build();

    assertThat(message.headers()).isEmpty();
    assertThat(new String(message.payload(), StandardCharsets.UTF_8)).isEqualTo("{\"a\":1}");
  }
}
