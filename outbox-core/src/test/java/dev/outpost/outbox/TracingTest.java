package dev.outpost.outbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.OutboxRows.Row;
import dev.outpost.outbox.internal.HeadersJson;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Scope;
import java.util.List;
import java.util.Map;
import org.jooq.DSLContext;
import org.jooq.impl.DSL;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
class TracingTest {

  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String SPAN_ID = "00f067aa0ba902b7";

  private TestDatabase db;
  private DSLContext dsl;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    dsl = DSL.using(db.dataSource(), OutboxRows.jooqDialect(db));
  }

  @Test
  void stores_the_callers_w3c_trace_context_in_the_headers() {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    TraceState state = TraceState.builder().put("vendor", "abc").build();
    Span span = Span.wrap(SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), state));

    try (Scope scope = span.makeCurrent()) {
      dsl.transaction(
          tx -> {
            outbox.send(
                tx.dsl(), OutboxMessage.to("orders").payload("x").header("type", "A").build());
            outbox.sendAll(tx.dsl(), List.of(OutboxMessage.to("orders").payload("y").build()));
          });
    }

    List<Row> rows = OutboxRows.all(db);
    assertThat(HeadersJson.read(rows.get(0).headersJson()))
        .containsOnly(
            Map.entry("type", "A"),
            Map.entry("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01"),
            Map.entry("tracestate", "vendor=abc"));
    assertThat(HeadersJson.read(rows.get(1).headersJson()))
        .containsEntry("traceparent", "00-" + TRACE_ID + "-" + SPAN_ID + "-01");
  }

  @Test
  void stores_no_trace_headers_without_a_current_span() {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();

    dsl.transaction(tx -> outbox.send(tx.dsl(), OutboxMessage.to("orders").payload("x").build()));

    assertThat(OutboxRows.all(db).get(0).headersJson()).isEqualTo("{}");
  }

  @Test
  void stores_no_trace_headers_when_capture_is_off() {
    Outbox outbox = Outbox.builder().schema(db.schema()).captureTraceContext(false).build();

    try (Scope scope = sampledSpan().makeCurrent()) {
      dsl.transaction(tx -> outbox.send(tx.dsl(), OutboxMessage.to("orders").payload("x").build()));
    }

    assertThat(OutboxRows.all(db).get(0).headersJson()).isEqualTo("{}");
  }

  @Test
  void keeps_a_traceparent_the_application_set_itself() {
    Outbox outbox = Outbox.builder().schema(db.schema()).build();
    String own = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

    try (Scope scope = sampledSpan().makeCurrent()) {
      dsl.transaction(
          tx ->
              outbox.send(
                  tx.dsl(),
                  OutboxMessage.to("orders").payload("x").header("traceparent", own).build()));
    }

    assertThat(HeadersJson.read(OutboxRows.all(db).get(0).headersJson()))
        .containsOnly(Map.entry("traceparent", own));
  }

  @Test
  void does_not_count_trace_headers_against_the_header_limit() {
    Outbox outbox = Outbox.builder().schema(db.schema()).maxHeaders(1).build();

    try (Scope scope = sampledSpan().makeCurrent()) {
      dsl.transaction(
          tx ->
              outbox.send(
                  tx.dsl(), OutboxMessage.to("orders").payload("x").header("type", "A").build()));
    }

    assertThat(HeadersJson.read(OutboxRows.all(db).get(0).headersJson()))
        .containsKeys("type", "traceparent");
  }

  private static Span sampledSpan() {
    return Span.wrap(
        SpanContext.create(TRACE_ID, SPAN_ID, TraceFlags.getSampled(), TraceState.getDefault()));
  }
}
