package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class JsonPayloadTest {

  record OrderCreated(String orderId, BigDecimal total, List<String> items) {}

  /** Jackson cannot write this: it has no properties and the mapper fails on empty beans. */
  static final class Opaque {}

  private final ObjectMapper mapper = new ObjectMapper();

  @Test
  void writes_the_payload_as_json_and_sets_the_content_type() throws Exception {
    OutboxMessage message =
        OutboxMessage.to("orders")
            .key("o-1")
            .payloadJson(new OrderCreated("o-1", new BigDecimal("12.50"), List.of("book", "pen")))
            .header("type", "OrderCreated")
            .build();

    JsonNode json = mapper.readTree(message.payload());
    assertThat(json.get("orderId").asText()).isEqualTo("o-1");
    assertThat(json.get("total").decimalValue()).isEqualByComparingTo("12.50");
    assertThat(json.get("items").get(1).asText()).isEqualTo("pen");
    assertThat(message.headers())
        .containsExactly(
            Map.entry("content-type", "application/json"), Map.entry("type", "OrderCreated"));
  }

  @Test
  void writes_maps_as_json() throws Exception {
    OutboxMessage map = OutboxMessage.to("t").payloadJson(Map.of("a", 1)).build();

    assertThat(mapper.readTree(map.payload()).get("a").asInt()).isEqualTo(1);
  }

  @Test
  void refuses_a_null_json_payload_instead_of_storing_the_text_null() {
    assertThatThrownBy(() -> OutboxMessage.to("t").payloadJson(null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("payloadJson")
        .hasMessageContaining("must not be null");
  }

  @Test
  void says_which_class_jackson_could_not_write() {
    assertThatThrownBy(() -> OutboxMessage.to("t").payloadJson(new Opaque()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("could not write " + Opaque.class.getName() + " as JSON: ");
  }

  @Test
  void stores_the_json_payload_and_its_content_type(TestDatabase db) throws Exception {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();

    DSL.using(db.dataSource(), OutboxRows.jooqDialect(db))
        .transaction(
            tx ->
                outbox.send(
                    tx.dsl(),
                    OutboxMessage.to("orders")
                        .payloadJson(new OrderCreated("o-2", BigDecimal.ONE, List.of()))
                        .build()));

    OutboxRows.Row row = OutboxRows.all(db).get(0);
    assertThat(mapper.readValue(row.payload(), OrderCreated.class))
        .isEqualTo(new OrderCreated("o-2", BigDecimal.ONE, List.of()));
    assertThat(HeadersJson.read(row.headersJson()))
        .containsEntry("content-type", "application/json");
  }
}
