package dev.outpost.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.outpost.relay.Relay;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;

/** The console in a real headless Chromium against real dead letters. */
@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(180)
class ConsoleBrowserTest {

  private static ChromeDriver driver;
  private TestDatabase db;
  private Scenario scenario;

  @BeforeAll
  static void startBrowser() {
    driver = Browser.start();
  }

  @AfterAll
  static void stopBrowser() {
    if (driver != null) {
      driver.quit();
    }
  }

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.scenario = new Scenario(db);
  }

  private OutpostConsole console(boolean allowActions, String token) {
    OutpostConsole console =
        OutpostConsole.builder()
            .dataSource(db.dataSource())
            .schema(db.schema())
            .port(0)
            .allowActions(allowActions)
            .token(token)
            .operator("browser-test")
            .build();
    console.start();
    return console;
  }

  private static String url(OutpostConsole console) {
    return "http://127.0.0.1:" + console.address().getPort() + "/";
  }

  private static String text(String id) {
    return driver.findElement(By.id(id)).getText();
  }

  private static void awaitText(String id, String expected) {
    await().atMost(Duration.ofSeconds(20)).until(() -> text(id).equals(expected));
  }

  @Test
  void shows_the_database_numbers_and_replays_from_the_page() {
    scenario.produceDeadLetters();
    scenario.send("audit", "a2", "a2-1");
    try (OutpostConsole console = console(true, null)) {
      driver.get(url(console));

      awaitText("dead-total", Long.toString(count("outbox_dead_letter")));
      awaitText("pending-total", Long.toString(count("outbox_message")));
      assertThat(text("pending-total")).isEqualTo("5");
      assertThat(text("dead-total")).isEqualTo("5");
      assertThat(text("mode")).isEqualTo("actions allowed");
      assertThat(driver.findElements(By.cssSelector("#dl-groups tr")))
          .extracting(e -> e.getText().replaceAll(" rejected by the publisher: [^:]*: ", " "))
          .containsExactly(
              "3 orders schema mismatch: field 'amount' missing",
              "2 payments payload too large for payments");
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> driver.findElements(By.cssSelector("#chart polyline")).size() == 3);
      scenario.drain();
      awaitText("pending-total", "4");

      previewReplayOfTopic("orders", 3);
      assertThat(driver.findElement(By.id("preview-notes")).getText())
          .contains("key o3 (partition")
          .contains("2 newer message(s) of this key are pending");
      Browser.screenshot(driver, "console-replay-preview");
      assertThat(count("outbox_dead_letter WHERE topic = 'orders'")).isEqualTo(3);

      driver.findElement(By.id("confirm")).click();
      awaitText("result", "replay: 3 of 3 done");

      assertThat(count("outbox_dead_letter WHERE topic = 'orders'")).isZero();
      assertThat(count("outbox_message WHERE topic = 'orders'")).isEqualTo(7);
      assertThat(
              count(
                  "outpost_admin_audit WHERE origin = 'console' AND action = 'replay'"
                      + " AND operator LIKE 'browser-test@%' AND affected = 3"))
          .isEqualTo(1);
      scenario.rejecting = false;
      scenario.drain();
      assertThat(scenario.delivered.get("o3")).containsExactly("bad o3-1", "o3-2", "o3-3");
      assertThat(scenario.delivered.get("o1")).containsExactly("bad o1-1", "o1-2");
      driver.findElement(By.id("tab-status")).click();
      awaitText("dead-total", "2");
      awaitText("pending-total", "0");

      driver.findElement(By.id("tab-audit")).click();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> text("audit-rows").contains("replay topic=orders 3 3"));
      Browser.screenshot(driver, "console-audit");
    }
  }

  @Test
  void shows_a_running_relay_and_its_leases() {
    scenario.produceDeadLetters();
    try (OutpostConsole console = console(true, null)) {
      driver.get(url(console));
      awaitText("pending-total", "4");
      try (HikariDataSource pool = db.newDataSource(6, "admin-ui-relay");
          Relay relay = scenario.startRelay(pool)) {
        for (int round = 1; round <= 4; round++) {
          for (int i = 0; i < 10; i++) {
            scenario.send("audit", "b" + i, "x" + round, "y" + round, "z" + round);
          }
          awaitNextPoll();
        }
        awaitText("relay-count", "1");
        awaitText("pending-total", "4");
        awaitNextPoll();
        assertThat(driver.findElement(By.id("relays")).getText()).contains("relay-a alive");
        assertThat(driver.findElement(By.id("lease-held")).getText()).isEqualTo("16 of 16");
        Browser.screenshot(driver, "console-status");
      }
    }
  }

  @Test
  void a_running_relay_publishes_what_the_page_replays() {
    scenario.produceDeadLetters();
    scenario.rejecting = false;
    try (OutpostConsole console = console(true, null);
        HikariDataSource pool = db.newDataSource(6, "admin-ui-relay");
        Relay relay = scenario.startRelay(pool)) {
      driver.get(url(console));
      awaitText("relay-count", "1");
      awaitText("pending-total", "4");

      previewReplayOfTopic("orders", 3);
      driver.findElement(By.id("confirm")).click();
      awaitText("result", "replay: 3 of 3 done");

      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> count("outbox_message") == 0 && scenario.delivered.size() == 4);
      assertThat(scenario.delivered.get("o1")).containsExactly("bad o1-1", "o1-2");
      assertThat(scenario.delivered.get("o2")).containsExactly("bad o2-1", "o2-2");
      assertThat(scenario.delivered.get("o3")).containsExactly("bad o3-1", "o3-2", "o3-3");
      assertThat(count("outbox_dead_letter")).isEqualTo(2);
      driver.findElement(By.id("tab-status")).click();
      awaitText("pending-total", "0");
      awaitText("dead-total", "2");
    }
  }

  @Test
  void a_read_only_console_refuses_actions() {
    scenario.produceDeadLetters();
    try (OutpostConsole console = console(false, null)) {
      driver.get(url(console));
      awaitText("mode", "read-only");
      driver.findElement(By.id("tab-dead")).click();
      awaitText("dl-count", "5");
      assertThat(driver.findElement(By.id("dl-preview-replay")).isEnabled()).isFalse();
      assertThat(driver.findElement(By.id("dl-preview-purge")).isEnabled()).isFalse();

      Object answer =
          driver.executeAsyncScript(
              "const done = arguments[arguments.length - 1];"
                  + "fetch('api/dead-letters/purge', {method: 'POST', headers: {'Content-Type':"
                  + " 'application/json', 'X-Outpost-Console': '1'}, body: JSON.stringify({filter:"
                  + " {topic: 'orders'}, dryRun: false, expect: 3})})"
                  + ".then(r => r.json().then(j => done(r.status + ' ' + j.error)));");

      assertThat(String.valueOf(answer)).startsWith("403 the console is read-only");
      assertThat(count("outbox_dead_letter")).isEqualTo(5);
      assertThat(count("outpost_admin_audit")).isZero();
    }
  }

  @Test
  void a_token_is_required_on_every_request_when_set() throws Exception {
    try (OutpostConsole console = console(false, "s3cret-token-value")) {
      HttpClient http = HttpClient.newHttpClient();
      URI status = URI.create(url(console) + "api/status");

      int without =
          http.send(HttpRequest.newBuilder(status).build(), HttpResponse.BodyHandlers.ofString())
              .statusCode();
      int page =
          http.send(
                  HttpRequest.newBuilder(URI.create(url(console))).build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode();
      int with =
          http.send(
                  HttpRequest.newBuilder(status)
                      .header("X-Outpost-Token", "s3cret-token-value")
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode();

      assertThat(without).isEqualTo(401);
      assertThat(page).isEqualTo(401);
      assertThat(with).isEqualTo(200);
      driver.get(url(console) + "?token=s3cret-token-value");
      awaitText("mode", "read-only");
    }
    assertThatThrownBy(
            () -> OutpostConsole.builder().dataSource(db.dataSource()).host("0.0.0.0").build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("token");
    assertThat(
            OutpostConsole.builder()
                .dataSource(db.dataSource())
                .host("0.0.0.0")
                .token("t0ken-for-public-bind")
                .build()
                .config()
                .toString())
        .doesNotContain("t0ken-for-public-bind");
  }

  @Test
  void mounts_in_an_applications_server_under_a_path() throws Exception {
    scenario.produceDeadLetters();
    try (OutpostConsole console =
        OutpostConsole.builder().dataSource(db.dataSource()).schema(db.schema()).build()) {
      ConsoleResponse response =
          console.handle(new ConsoleRequest("GET", "/api/status", Map.of(), Map.of(), null, null));
      ConsoleResponse page =
          console.handle(new ConsoleRequest("GET", "/", Map.of(), Map.of(), null, null));

      assertThat(response.status()).isEqualTo(200);
      assertThat(new String(response.body())).contains("\"deadLetters\":5");
      assertThat(page.contentType()).startsWith("text/html");

      com.sun.net.httpserver.HttpServer app =
          com.sun.net.httpserver.HttpServer.create(
              new java.net.InetSocketAddress("127.0.0.1", 0), 0);
      app.createContext("/ops/outpost/", console.httpHandler());
      app.start();
      try {
        driver.get("http://127.0.0.1:" + app.getAddress().getPort() + "/ops/outpost/");
        awaitText("dead-total", "5");
      } finally {
        app.stop(0);
      }
    }
  }

  /** Filters the dead letters by {@code topic} on the page and opens the replay preview. */
  private static void previewReplayOfTopic(String topic, int expected) {
    driver.findElement(By.id("tab-dead")).click();
    awaitText("dl-count", "5");
    driver.findElement(By.id("f-topic")).sendKeys(topic);
    driver.findElement(By.id("dl-search")).click();
    awaitText("dl-count", Integer.toString(expected));
    assertThat(driver.findElements(By.cssSelector("#dl-rows tr"))).hasSize(expected);
    driver.findElement(By.id("dl-preview-replay")).click();
    awaitText("preview-total", Integer.toString(expected));
  }

  private static void awaitNextPoll() {
    String before = driver.findElement(By.id("updated")).getAttribute("data-at");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                !String.valueOf(before)
                    .equals(driver.findElement(By.id("updated")).getAttribute("data-at")));
  }

  private long count(String tableAndWhere) {
    return db.queryLong("SELECT count(*) FROM " + tableAndWhere);
  }
}
