package dev.outpost.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.testing.MutableClock;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** The console's API through {@link OutpostConsole#handle}, as a mounting application calls it. */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(120)
class ConsoleApiTest {

  private static final Map<String, String> ACTION_HEADERS = Map.of("x-outpost-console", "1");

  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase db;
  private Scenario scenario;

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.scenario = new Scenario(db);
  }

  private OutpostConsole console(boolean allowActions) {
    return OutpostConsole.builder()
        .dataSource(db.dataSource())
        .schema(db.schema())
        .allowActions(allowActions)
        .port(0)
        .build();
  }

  private static ConsoleResponse post(OutpostConsole console, String path, String body) {
    return console.handle(
        new ConsoleRequest(
            "POST",
            path,
            Map.of(),
            ACTION_HEADERS,
            body.getBytes(StandardCharsets.UTF_8),
            "10.0.0.7"));
  }

  private JsonNode body(ConsoleResponse response) throws Exception {
    return json.readTree(response.body());
  }

  @Test
  void an_action_needs_the_count_its_preview_showed() throws Exception {
    scenario.produceDeadLetters();
    try (OutpostConsole console = console(true)) {
      String filter = "{\"filter\":{\"topic\":\"orders\"},\"dryRun\":";

      JsonNode preview = body(post(console, "/api/dead-letters/purge", filter + "true}"));
      ConsoleResponse stale =
          post(console, "/api/dead-letters/purge", filter + "false,\"expect\":2}");
      ConsoleResponse missingHeader =
          console.handle(
              new ConsoleRequest(
                  "POST",
                  "/api/dead-letters/purge",
                  Map.of(),
                  Map.of(),
                  (filter + "false,\"expect\":3}").getBytes(StandardCharsets.UTF_8),
                  null));
      ConsoleResponse noFilter =
          post(console, "/api/dead-letters/purge", "{\"dryRun\":false,\"expect\":5}");

      assertThat(preview.get("total").asInt()).isEqualTo(3);
      assertThat(stale.status()).isEqualTo(409);
      assertThat(body(stale).get("error").asText()).contains("now takes 3 dead letters, not 2");
      assertThat(missingHeader.status()).isEqualTo(403);
      assertThat(noFilter.status()).isEqualTo(400);
      assertThat(db.queryLong("SELECT count(*) FROM outbox_dead_letter")).isEqualTo(5);

      ConsoleResponse done =
          post(console, "/api/dead-letters/purge", filter + "false,\"expect\":3}");

      assertThat(done.status()).isEqualTo(200);
      assertThat(body(done).get("affected").asInt()).isEqualTo(3);
      assertThat(db.queryLong("SELECT count(*) FROM outbox_dead_letter")).isEqualTo(2);
      assertThat(
              db.queryLong(
                  "SELECT count(*) FROM outpost_admin_audit WHERE operator = 'console@10.0.0.7'"
                      + " AND action = 'purge' AND affected = 3"))
          .isEqualTo(1);
    }
  }

  @Test
  void the_write_rate_counts_messages_published_between_two_samples() throws Exception {
    MutableClock clock = MutableClock.atSystemTime();
    try (OutpostConsole console =
        OutpostConsole.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .clock(clock)
            .build()) {
      JsonNode first = body(status(console));
      for (int i = 0; i < 10; i++) {
        scenario.send("audit", "r" + i, "r" + i + "-1", "r" + i + "-2");
      }
      scenario.drain();
      clock.advance(Duration.ofSeconds(4));
      JsonNode second = body(status(console));

      assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
      assertThat(second.get("status").get("highestOutboxId").asLong())
          .isEqualTo(first.get("status").get("highestOutboxId").asLong() + 20);
      JsonNode latest = second.get("history").get(1);
      assertThat(latest.get("writtenPerSecond").asDouble()).isEqualTo(5.0);
      assertThat(latest.get("publishedPerSecond").asDouble()).isEqualTo(5.0);
      assertThat(latest.get("pending").asLong()).isZero();
    }
  }

  private static ConsoleResponse status(OutpostConsole console) {
    return console.handle(new ConsoleRequest("GET", "/api/status", Map.of(), Map.of(), null, null));
  }

  @Test
  void lists_and_cancels_delayed_messages() throws Exception {
    scenario.delay("o1", "order-1", Instant.now().plus(Duration.ofMinutes(5)));
    scenario.delay("o2", "order-2", Instant.now().plus(Duration.ofMinutes(6)));
    try (OutpostConsole console = console(true)) {
      JsonNode listed =
          body(
              console.handle(
                  new ConsoleRequest(
                      "GET", "/api/delayed", Map.of("cancelKey", "order-2"), null, null, null)));
      String cancel = "{\"filter\":{\"cancelKey\":\"order-2\"},\"dryRun\":false,\"expect\":1}";
      ConsoleResponse done = post(console, "/api/delayed/cancel", cancel);

      assertThat(listed).hasSize(1);
      assertThat(done.status()).isEqualTo(200);
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isEqualTo(1);
      assertThat(db.queryLong("SELECT count(*) FROM delayed_message WHERE cancel_key = 'order-1'"))
          .isEqualTo(1);
    }
  }

  @Test
  void its_own_server_answers_loopback_host_names_only() throws Exception {
    try (OutpostConsole console = console(false)) {
      console.start();
      int port = console.address().getPort();

      assertThat(statusLine(port, "127.0.0.1:" + port)).contains(" 200");
      assertThat(statusLine(port, "localhost:" + port)).contains(" 200");
      assertThat(statusLine(port, "attacker.example:" + port)).contains(" 421");
    }
  }

  @Test
  void starts_and_closes_once() {
    OutpostConsole neverStarted = console(false);
    neverStarted.close();
    neverStarted.close();
    assertThatThrownBy(neverStarted::start).isInstanceOf(IllegalStateException.class);

    for (int i = 0; i < 3; i++) {
      OutpostConsole console = console(false);
      console.start();
      assertThatThrownBy(console::start).isInstanceOf(IllegalStateException.class);
      console.close();
      console.close();
    }
    assertThatThrownBy(
            () -> OutpostConsole.builder().dataSource(db.dataSource()).port(70_000).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("port is 70000");
    assertThatThrownBy(() -> OutpostConsole.builder().build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("dataSource");
  }

  private static String statusLine(int port, String host) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      OutputStream out = socket.getOutputStream();
      out.write(
          ("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII))
          .readLine();
    }
  }
}
