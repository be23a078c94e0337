package dev.outpost.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.outbox.OutboxMessage;
import dev.outpost.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.support.TransactionTemplate;

/** The admin console mounted in a Spring MVC application when outpost-admin is present. */
@SpringBootTest(
    classes = ConsoleMountTest.App.class,
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
@Timeout(120)
class ConsoleMountTest {

  @DynamicPropertySource
  static void database(DynamicPropertyRegistry registry) {
    for (String p :
        StarterTestDatabase.properties(
            "outpost.relay.enabled=false", "outpost.delay.enabled=false")) {
      int eq = p.indexOf('=');
      registry.add(p.substring(0, eq), () -> p.substring(eq + 1));
    }
  }

  @SpringBootConfiguration
  @EnableAutoConfiguration
  static class App {}

  @LocalServerPort int port;

  final TestDatabase db = StarterTestDatabase.db();
  @Autowired SpringOutbox outbox;
  @Autowired TransactionTemplate transactions;
  final HttpClient http = HttpClient.newHttpClient();

  @Test
  void serves_the_page_and_the_backlog_the_database_holds_read_only() throws Exception {
    transactions.executeWithoutResult(
        s -> outbox.send(OutboxMessage.to("console.mounted").payload(new byte[] {1}).build()));
    try {
      HttpResponse<String> page = get("/outpost/console/");
      assertThat(page.statusCode()).isEqualTo(200);
      assertThat(page.headers().firstValue("content-type").orElse("")).startsWith("text/html");
      assertThat(page.body()).contains("<html");

      HttpResponse<String> status = get("/outpost/console/api/status");
      assertThat(status.statusCode()).isEqualTo(200);
      long backlog = db.queryLong("SELECT count(*) FROM " + db.qualified("outbox_message"));
      assertThat(status.body())
          .contains("\"allowActions\":false")
          .contains("\"pending\":" + backlog);

      HttpResponse<String> replay =
          http.send(
              HttpRequest.newBuilder(uri("/outpost/console/api/dead-letters/replay"))
                  .header("X-Outpost-Console", "1")
                  .POST(HttpRequest.BodyPublishers.ofString("{\"dryRun\":false}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(replay.statusCode()).isEqualTo(403);
      assertThat(replay.body()).contains("read-only");
    } finally {
      db.execute(
          "DELETE FROM " + db.qualified("outbox_message") + " WHERE topic = 'console.mounted'");
    }
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }
}
