package dev.outpost.examples;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
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
 */
final class HttpApi implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(HttpApi.class);
  private static final Pattern ORDER = Pattern.compile("/orders/([0-9a-fA-F-]{36})(/pay)?");

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
    if (path.equals("/orders") && method.equals("POST")) {
      JsonNode body = readBody(exchange.getRequestBody());
      Order placed = orders.place(body.path("item").asText(null), body.path("quantity").asInt(1));
      exchange.getResponseHeaders().add("Location", "/orders/" + placed.id());
      send(exchange, 201, placed);
    } else if (order.matches() && order.group(2) != null && method.equals("POST")) {
      send(exchange, 200, orders.pay(UUID.fromString(order.group(1))));
    } else if (order.matches() && order.group(2) == null && method.equals("GET")) {
      UUID id = UUID.fromString(order.group(1));
      send(
          exchange,
          200,
          orders.find(id).orElseThrow(() -> OrderException.notFound("no order " + id)));
    } else if (path.equals("/stock") && method.equals("GET")) {
      send(exchange, 200, queries.stock());
    } else if (path.equals("/outbox/status") && method.equals("GET")) {
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

  private static JsonNode readBody(InputStream in) throws IOException {
    byte[] bytes = in.readNBytes(64 * 1024);
    if (bytes.length == 0) {
      throw OrderException.badRequest("body is empty; send {\"item\":\"apple\",\"quantity\":1}");
    }
    return Events.JSON.readTree(bytes);
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
