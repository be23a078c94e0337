package dev.outpost.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.testing.OutpostPostgres;
import dev.outpost.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class HttpApiTest {

  private static App app;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startApp() throws Exception {
    TestDatabase db = OutpostPostgres.shared();
    new OrderLedger(db, "example_http").reset();
    app =
        App.start(
            AppConfig.parse(
                new String[] {
                  "--jdbc-url", db.jdbcUrl(),
                  "--jdbc-user", db.user(),
                  "--jdbc-password", db.password(),
                  "--schema", "example_http",
                  "--port", "0",
                  "--order-timeout", "1s",
                  "--initial-stock", "10"
                },
                Map.of()),
            Clock.systemUTC());
  }

  @AfterAll
  static void stopApp() {
    app.close();
  }

  @Test
  void a_paid_order_keeps_its_stock_sold() throws Exception {
    Response placed = call("POST", "/orders", "{\"item\":\"apple\",\"quantity\":2}");
    assertThat(placed.status()).isEqualTo(201);
    assertThat(placed.json().path("status").asText()).isEqualTo("UNPAID");
    String id = placed.json().path("id").asText();

    Response paid = call("POST", "/orders/" + id + "/pay", "");
    assertThat(paid.status()).isEqualTo(200);
    assertThat(paid.json().path("status").asText()).isEqualTo("PAID");
    assertThat(call("POST", "/orders/" + id + "/pay", "").status())
        .as("paying twice is a no-op")
        .isEqualTo(200);
    assertThat(call("GET", "/orders/" + id, null).json().path("status").asText()).isEqualTo("PAID");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> call("GET", "/outbox/status", null).json().path("backlog").asLong() == 0);
  }

  @Test
  void an_unpaid_order_is_cancelled_by_its_timeout_and_then_refuses_payment() throws Exception {
    String id =
        call("POST", "/orders", "{\"item\":\"kiwi\",\"quantity\":3}").json().path("id").asText();
    assertThat(stockOf("kiwi").path("available").asInt()).isLessThanOrEqualTo(7);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                call("GET", "/orders/" + id, null)
                    .json()
                    .path("status")
                    .asText()
                    .equals("CANCELLED"));

    Response late = call("POST", "/orders/" + id + "/pay", "");
    assertThat(late.status()).isEqualTo(409);
    assertThat(late.json().path("error").asText()).contains("not paid in time");
    JsonNode kiwi = stockOf("kiwi");
    assertThat(kiwi.path("initial").asInt())
        .isEqualTo(
            kiwi.path("available").asInt()
                + kiwi.path("locked").asInt()
                + kiwi.path("sold").asInt());
  }

  @Test
  void bad_requests_get_clear_errors() throws Exception {
    assertThat(call("POST", "/orders", "{\"item\":\"durian\",\"quantity\":1}"))
        .satisfies(r -> assertThat(r.status()).isEqualTo(404))
        .satisfies(r -> assertThat(r.json().path("error").asText()).contains("no item 'durian'"));
    assertThat(call("POST", "/orders", "{\"item\":\"plum\",\"quantity\":0}").status())
        .isEqualTo(400);
    assertThat(call("POST", "/orders", "{\"item\":\"plum\",\"quantity\":11}"))
        .satisfies(r -> assertThat(r.status()).isEqualTo(409))
        .satisfies(
            r -> assertThat(r.json().path("error").asText()).contains("only 10 of 'plum' left"));
    assertThat(call("POST", "/orders", "{not json").status()).isEqualTo(400);
    assertThat(call("POST", "/orders", "").status()).isEqualTo(400);
    assertThat(call("GET", "/orders/00000000-0000-0000-0000-000000000000", null).status())
        .isEqualTo(404);
    assertThat(call("GET", "/nowhere", null).status()).isEqualTo(404);
    JsonNode status = call("GET", "/outbox/status", null).json();
    assertThat(status.has("backlog") && status.has("deadLetters") && status.has("delayedPending"))
        .isTrue();
  }

  @Test
  void input_is_strict_ids_quantities_trailing_garbage_size_and_methods() throws Exception {
    assertThat(call("GET", "/orders/not-a-uuid", null))
        .satisfies(r -> assertThat(r.status()).isEqualTo(400))
        .satisfies(r -> assertThat(r.json().path("error").asText()).contains("not an order id"));
    assertThat(call("POST", "/orders/------------------------------------/pay", "").status())
        .isEqualTo(400);
    assertThat(call("POST", "/orders", "{\"item\":\"plum\"}"))
        .satisfies(r -> assertThat(r.status()).isEqualTo(400))
        .satisfies(r -> assertThat(r.json().path("error").asText()).contains("quantity"));
    assertThat(call("POST", "/orders", "{\"item\":\"plum\",\"quantity\":\"two\"}").status())
        .isEqualTo(400);
    assertThat(call("POST", "/orders", "{\"item\":\"plum\",\"quantity\":1.5}").status())
        .isEqualTo(400);
    assertThat(call("POST", "/orders", "{\"item\":\"plum\",\"quantity\":1} trailing").status())
        .isEqualTo(400);
    assertThat(call("POST", "/orders", "[1,2]").status()).isEqualTo(400);
    String huge =
        "{\"item\":\"plum\",\"quantity\":1,\"note\":\""
            + "x".repeat(HttpApi.MAX_BODY_BYTES)
            + "\"}";
    assertThat(call("POST", "/orders", huge).status()).isEqualTo(413);
    HttpResponse<String> wrongMethod =
        http.send(
            HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + "/stock"))
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("GET");
    assertThat(call("GET", "/orders", null).status()).isEqualTo(405);
    assertThat(call("PUT", "/orders/00000000-0000-0000-0000-000000000000/pay", "").status())
        .isEqualTo(405);
    assertThat(stockOf("plum").path("locked").asInt()).as("no refused order locked stock").isZero();
  }

  private JsonNode stockOf(String item) throws Exception {
    for (JsonNode level : call("GET", "/stock", null).json()) {
      if (level.path("item").asText().equals(item)) {
        return level;
      }
    }
    throw new AssertionError("no stock line for " + item);
  }

  private record Response(int status, JsonNode json) {}

  private static Response call(String method, String path, String body) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + app.port() + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    HttpResponse<String> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), Events.JSON.readTree(response.body()));
  }
}
