package dev.outpost.examples;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP API on the JDK's built-in server, JSON in and out:
 *
 * <pre>
 * POST /orders            {"item":"apple","quantity":2}  → 201 the order
 * POST /orders/{id}/pay                                   → 200 the order, 409 when timed out
 * GET  /orders/{id}                                       → 200 the order
 * GET  /stock                                             → 200 stock per item
 * GET  /outbox/status                                     → 200 backlog, dead letters, delayed
 * </pre>
 *
 * <p>Input is strict: an id that is not a UUID, a missing or non-integer quantity or anything after
 * the JSON object is 400, a body over {@value #MAX_BODY_BYTES} bytes 413, a wrong method 405.
 */
final class HttpApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final Pattern ORDER = Pattern.compile("/orders/([^/]+)(/pay)?");
  private static final Pattern UUID_TEXT =
      Pattern.compile(
          "\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

  /** Largest request body the API reads; larger ones get 413. */
  static final int MAX_BODY_BYTES = 16 * 1024;

  /** JSON reader that refuses anything after the first value ("trailing garbage"). */
  private static final ObjectReader STRICT_JSON =
      Events.JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final OrderService orders;
  private final Queries queries;
  private final HttpServer server;
  private final ExecutorService executor;

  HttpApi(OrderService orders, Queries queries, int port) throws IOException {
    this.orders = orders;
    this.queries = queries;
    this.server = HttpServer.create(new InetSocketAddress(port), 64);
    this.executor = Executors.newFixedThreadPool(8, r -> new Thread(r, "example-http"));
    server.setExecutor(executor);
    server.createContext("/", this::handle);
  }

  void start() {
    server.start();
  }

  int port() {
    return server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (OrderException e) {
        send(exchange, e.httpStatus(), Map.of("error", e.getMessage()));
      } catch (MethodNotAllowed e) {
        exchange.getResponseHeaders().set("Allow", e.allowed);
        send(exchange, 405, Map.of("error", e.getMessage()));
      } catch (JacksonException e) {
        send(exchange, 400, Map.of("error", "body is not valid JSON: " + e.getOriginalMessage()));
      } catch (RuntimeException e) {
        log.warn("{} {} failed", exchange.getRequestMethod(), exchange.getRequestURI(), e);
        send(exchange, 500, Map.of("error", String.valueOf(e.getMessage())));
      }
    }
  }

  private void route(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    Matcher order = ORDER.matcher(path);
    if (path.equals("/orders")) {
      allow(method, "POST");
      JsonNode body = readBody(exchange);
      Order placed = orders.place(item(body), quantity(body));
      exchange.getResponseHeaders().add("Location", "/orders/" + placed.id());
      send(exchange, 201, placed);
    } else if (order.matches() && order.group(2) != null) {
      allow(method, "POST");
      send(exchange, 200, orders.pay(orderId(order.group(1))));
    } else if (order.matches()) {
      allow(method, "GET");
      UUID id = orderId(order.group(1));
      send(
          exchange,
          200,
          orders.find(id).orElseThrow(() -> OrderException.notFound("no order " + id)));
    } else if (path.equals("/stock")) {
      allow(method, "GET");
      send(exchange, 200, queries.stock());
    } else if (path.equals("/outbox/status")) {
      allow(method, "GET");
      send(exchange, 200, queries.outboxStatus());
    } else {
      send(
          exchange,
          404,
          Map.of(
              "error",
              method
                  + " "
                  + path
                  + " is not an endpoint; try POST /orders,"
                  + " POST /orders/{id}/pay, GET /orders/{id}, GET /stock, GET /outbox/status"));
    }
  }

  private static void allow(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw new MethodNotAllowed(allowed, method + " is not allowed here; use " + allowed);
    }
  }

  private static UUID orderId(String text) {
    if (!UUID_TEXT.matcher(text).matches()) {
      throw OrderException.badRequest(
          "'"
              + text
              + "' is not an order id; ids are UUIDs like 0190b0a6-3c1e-7d2f-8a4b-1c2d3e4f5a6b");
    }
    return UUID.fromString(text);
  }

  private static String item(JsonNode body) {
    JsonNode item = body.get("item");
    if (item == null || !item.isTextual() || item.asText().isBlank()) {
      throw OrderException.badRequest(
          "item must be a non-empty string, e.g. {\"item\":\"apple\",\"quantity\":1}");
    }
    return item.asText();
  }

  private static int quantity(JsonNode body) {
    JsonNode quantity = body.get("quantity");
    if (quantity == null || !quantity.isIntegralNumber() || !quantity.canConvertToInt()) {
      throw OrderException.badRequest(
          "quantity must be a whole number, e.g. {\"item\":\"apple\",\"quantity\":1}");
    }
    return quantity.intValue();
  }

  /** The body as one JSON object: nothing after it, at most {@value #MAX_BODY_BYTES} bytes. */
  private static JsonNode readBody(HttpExchange exchange) throws IOException {
    String length = exchange.getRequestHeaders().getFirst("Content-Length");
    if (length != null && length.matches("\\d{1,18}") && Long.parseLong(length) > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    byte[] bytes;
    try (InputStream in = exchange.getRequestBody()) {
      bytes = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (bytes.length > MAX_BODY_BYTES) {
      throw tooLarge();
    }
    if (bytes.length == 0) {
      throw OrderException.badRequest("body is empty; send {\"item\":\"apple\",\"quantity\":1}");
    }
    JsonNode body = STRICT_JSON.readTree(bytes);
    if (body == null || !body.isObject()) {
      throw OrderException.badRequest(
          "body must be a JSON object like {\"item\":\"apple\",\"quantity\":1}");
    }
    return body;
  }

  private static OrderException tooLarge() {
    return new OrderException(413, "body is larger than " + MAX_BODY_BYTES + " bytes");
  }

  /** 405 with the method the resource takes, for the {@code Allow} header. */
  private static final class MethodNotAllowed extends RuntimeException {
    private final String allowed;

    MethodNotAllowed(String allowed, String message) {
      super(message);
      this.allowed = allowed;
    }
  }

  private static void send(HttpExchange exchange, int status, Object body) throws IOException {
    byte[] bytes = Events.JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
