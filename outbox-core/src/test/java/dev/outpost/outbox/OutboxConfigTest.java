package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class OutboxConfigTest {

  @Test
  void has_documented_defaults() {
    OutboxConfig config = OutboxConfig.defaults();

    assertThat(config.schema()).isEqualTo("public");
    assertThat(config.partitions()).isEqualTo(16);
    assertThat(config.maxPayloadBytes()).isEqualTo(1024 * 1024);
    assertThat(config.maxKeyLength()).isEqualTo(1024);
    assertThat(config.maxHeaders()).isEqualTo(64);
    assertThat(config.maxHeaderNameLength()).isEqualTo(256);
    assertThat(config.maxHeaderValueLength()).isEqualTo(8192);
    assertThat(config.requireTransaction()).isTrue();
    assertThat(config.captureTraceContext()).isTrue();
    assertThat(config.clock()).isEqualTo(Clock.systemUTC());
  }

  @Test
  void builds_a_writer_with_the_configured_values() {
    Outbox outbox =
        Outbox.builder()
            .schema("outpost")
            .partitions(64)
            .maxPayloadBytes(10)
            .maxKeyLength(20)
            .maxHeaders(3)
            .maxHeaderNameLength(30)
            .maxHeaderValueLength(40)
            .requireTransaction(false)
            .captureTraceContext(false)
            .build();

    assertThat(outbox.config())
        .isEqualTo(
            new OutboxConfig("outpost", 64, 10, 20, 3, 30, 40, false, false, Clock.systemUTC()));
    assertThat(outbox.partitioner().partitions()).isEqualTo(64);
  }

  @Test
  void rejects_values_out_of_range_naming_the_field_and_the_range() {
    assertRejected(b -> b.partitions(0), "partitions is 0; allowed 1..1024");
    assertRejected(b -> b.partitions(1025), "partitions is 1025; allowed 1..1024");
    assertRejected(b -> b.maxPayloadBytes(0), "maxPayloadBytes is 0; allowed 1..67108864");
    assertRejected(
        b -> b.maxPayloadBytes(64 * 1024 * 1024 + 1),
        "maxPayloadBytes is 67108865; allowed 1..67108864");
    assertRejected(b -> b.maxKeyLength(0), "maxKeyLength is 0; allowed 1..65536");
    assertRejected(b -> b.maxHeaders(-1), "maxHeaders is -1; allowed 0..10000");
    assertRejected(b -> b.maxHeaders(10_001), "maxHeaders is 10001; allowed 0..10000");
    assertRejected(b -> b.maxHeaderNameLength(0), "maxHeaderNameLength is 0; allowed 1..65536");
    assertRejected(b -> b.maxHeaderValueLength(0), "maxHeaderValueLength is 0; allowed 1..1048576");
    assertRejected(b -> b.clock(null), "clock must not be null; use Clock.systemUTC()");
  }

  @Test
  void rejects_a_schema_that_is_not_a_plain_identifier() {
    for (String schema : new String[] {null, "", "Outpost", "my schema", "1st", "a\"b"}) {
      assertRejected(
          b -> b.schema(schema),
          "schema is '"
              + schema
              + "'; allowed: a plain lower-case identifier of 1-63 characters of [a-z0-9_], not"
              + " starting with a digit");
    }
  }

  private static void assertRejected(UnaryOperator<Outbox.Builder> setting, String message) {
    assertThatThrownBy(() -> setting.apply(Outbox.builder()).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(message);
  }
}
