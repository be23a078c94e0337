package dev.outpost.outbox.internal;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Captures the calling thread's W3C trace context ({@code traceparent}, {@code tracestate}) when
 * the OpenTelemetry API is on the classpath; does nothing otherwise.
 */
public final class TraceContext {

  /** W3C header with trace id, span id and flags. */
  public static final String TRACEPARENT = "traceparent";

  /** W3C header with vendor state. */
  public static final String TRACESTATE = "tracestate";

  private static final boolean OTEL_PRESENT = isPresent();

  private TraceContext() {}

  /** Adds the current trace context to {@code headers} unless they already carry one. */
  public static void captureInto(Map<String, String> headers) {
    if (OTEL_PRESENT && !headers.containsKey(TRACEPARENT)) {
      Otel.inject(headers);
    }
  }

  /**
   * {@code headers} plus the current trace context in a new map, or {@code headers} itself when
   * there is no valid current span or they already carry a {@code traceparent}.
   */
  public static Map<String, String> withCurrent(Map<String, String> headers) {
    if (!OTEL_PRESENT || headers.containsKey(TRACEPARENT) || !Otel.hasValidSpan()) {
      return headers;
    }
    Map<String, String> withTrace = new LinkedHashMap<>(headers);
    Otel.inject(withTrace);
    return withTrace;
  }

  private static boolean isPresent() {
    try {
      Class.forName("io.opentelemetry.api.trace.Span", false, TraceContext.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** Touches OpenTelemetry classes only when they are present. */
  private static final class Otel {
    static boolean hasValidSpan() {
      return io.opentelemetry.api.trace.Span.current().getSpanContext().isValid();
    }

    static void inject(Map<String, String> headers) {
      io.opentelemetry.context.Context context = io.opentelemetry.context.Context.current();
      if (!io.opentelemetry.api.trace.Span.fromContext(context).getSpanContext().isValid()) {
        return;
      }
      io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator.getInstance()
          .inject(context, headers, (carrier, key, value) -> carrier.put(key, value));
    }
  }
}
