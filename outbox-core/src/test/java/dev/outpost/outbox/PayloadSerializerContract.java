package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * What every {@link PayloadSerializer} must do, run against the built-in ones and against any
 * serializer written for tests, so they all keep the contract.
 *
 * @param <T> the serialized type
 */
abstract class PayloadSerializerContract<T> {

  /** The serializer under test. */
  abstract PayloadSerializer<T> serializer();

  /** Two different values it can serialize. */
  abstract List<T> values();

  @Test
  void returns_bytes_for_every_value() {
    for (T value : values()) {
      assertThat(serializer().serialize(value)).isNotNull();
    }
  }

  @Test
  void returns_the_same_bytes_for_the_same_value() {
    for (T value : values()) {
      assertThat(bytes(value)).isEqualTo(bytes(value));
    }
  }

  @Test
  void returns_different_bytes_for_different_values() {
    assertThat(bytes(values().get(0))).isNotEqualTo(bytes(values().get(1)));
  }

  /** A copy: the contract lets a serializer reuse the array it returns. */
  private byte[] bytes(T value) {
    return serializer().serialize(value).clone();
  }

  @Test
  void builds_a_message_carrying_exactly_its_bytes() {
    T value = values().get(0);
    byte[] expected = serializer().serialize(value).clone();

    OutboxMessage message = OutboxMessage.to("t").payload(value, serializer()).build();

    assertThat(message.payload()).isEqualTo(expected);
  }

  @Test
  void can_be_shared_between_threads() throws Exception {
    PayloadSerializer<T> shared = serializer();
    byte[] expected = shared.serialize(values().get(0)).clone();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(
            () -> {
              for (int i = 0; i < 500; i++) {
                byte[] bytes =
                    OutboxMessage.to("t").payload(values().get(0), shared).build().payload();
                if (!java.util.Arrays.equals(bytes, expected)) {
                  return false;
                }
              }
              return true;
            });
      }
      for (Future<Boolean> result : pool.invokeAll(tasks)) {
        assertThat(result.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
