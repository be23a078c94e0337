package dev.outpost.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.outpost.testing.OutpostDatabaseExtension;
import dev.outpost.testing.TestDatabase;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(OutpostDatabaseExtension.class)
@Timeout(120)
class OutpostCliTest {

  private static final String PASSWORD_MARKER = "pw-never-printed-42";

  private final ObjectMapper json = new ObjectMapper();
  private TestDatabase db;
  private Scenario scenario;

  /** One CLI run's outcome. */
  record Run(int exit, String out, String err) {
    JsonNode json() {
      try {
        return new ObjectMapper().readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + " / " + err, e);
      }
    }
  }

  @BeforeEach
  void setUp(TestDatabase db) {
    this.db = db;
    this.scenario = new Scenario(db);
  }

  /**
   * Runs the CLI against the test database; on MariaDB through a {@code jdbc:mysql:} URL (the
   * bundled MariaDB driver takes it), so both schemes are exercised.
   */
  private Run cli(String stdin, String... args) {
    String url =
        db.isPostgres() ? db.jdbcUrl() : db.jdbcUrl().replace("jdbc:mariadb:", "jdbc:mysql:");
    return cliAt(url, stdin, args);
  }

  private Run cliAt(String url, String stdin, String... args) {
    List<String> all = new ArrayList<>();
    all.add("--jdbc-url");
    all.add(url);
    all.add("--user");
    all.add(db.user());
    all.add("--schema");
    all.add(db.schema());
    all.add("--operator");
    all.add("tester");
    all.addAll(List.of(args));
    Map<String, String> env = new HashMap<>();
    if (db.password() != null) {
      env.put(OutpostCli.PASSWORD_ENV, db.password());
    }
    return run(env, stdin, all.toArray(String[]::new));
  }

  private static Run run(Map<String, String> env, String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit =
        OutpostCli.run(
            args,
            env,
            new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private long deadLetters(String where) {
    return db.queryLong("SELECT count(*) FROM outbox_dead_letter WHERE " + where);
  }

  @Test
  void status_reports_the_numbers_of_the_database() {
    scenario.produceDeadLetters();

    Run run = cli("", "status", "--json");

    assertThat(run.exit()).as(run.err()).isEqualTo(OutpostCli.OK);
    JsonNode s = run.json();
    assertThat(s.get("pending").asLong())
        .isEqualTo(db.queryLong("SELECT count(*) FROM outbox_message"))
        .isEqualTo(4);
    assertThat(s.get("deadLetters").asLong()).isEqualTo(5);
    assertThat(s.get("oldestPendingAgeMillis").asLong()).isGreaterThanOrEqualTo(0);
    long partitionsSum = 0;
    for (JsonNode p : s.get("partitions")) {
      partitionsSum += p.get("pending").asLong();
    }
    assertThat(partitionsSum).isEqualTo(4);
    Map<String, Long> byTopic = new HashMap<>();
    for (JsonNode g : s.get("deadLetterGroups")) {
      byTopic.merge(g.get("topic").asText(), g.get("count").asLong(), Long::sum);
    }
    assertThat(byTopic).containsEntry("orders", 3L).containsEntry("payments", 2L);
    assertThat(s.get("deadLetterGroups").get(0).get("error").asText())
        .endsWith("schema mismatch: field 'amount' missing");
    assertThat(s.get("delayed").get("count").asLong()).isZero();

    Run text = cliAt(db.jdbcUrl(), "", "status");
    assertThat(text.exit()).isEqualTo(OutpostCli.OK);
    assertThat(text.out()).contains("backlog: 4 pending").contains("dead letters: 5");
  }

  @Test
  void lists_and_shows_dead_letters_with_filters() {
    scenario.produceDeadLetters();

    Run orders = cli("", "dead-letters", "list", "--topic", "orders", "--json");
    Run large = cli("", "dead-letters", "list", "--error", "TOO LARGE", "--json");
    Run byKey = cli("", "dead-letters", "list", "--key", "o2", "--failed-from", "1h", "--json");
    Run none = cli("", "dead-letters", "list", "--failed-before", "1h", "--json");

    assertThat(orders.json()).hasSize(3);
    assertThat(large.json()).hasSize(2);
    assertThat(byKey.json()).hasSize(1);
    assertThat(none.json()).isEmpty();
    long id = byKey.json().get(0).get("id").asLong();
    Run show = cli("", "dead-letters", "show", Long.toString(id));
    assertThat(show.exit()).isEqualTo(OutpostCli.OK);
    assertThat(show.out()).contains("bad o2-1").contains("schema mismatch");
    assertThat(cli("", "dead-letters", "show", "999999").exit()).isEqualTo(OutpostCli.NOT_FOUND);
  }

  @Test
  void replay_dry_run_names_the_held_back_messages_and_changes_nothing() {
    scenario.produceDeadLetters();

    Run run = cli("", "dead-letters", "replay", "--topic", "orders", "--dry-run", "--json");

    assertThat(run.exit()).as(run.err()).isEqualTo(OutpostCli.OK);
    JsonNode plan = run.json();
    assertThat(plan.get("total").asInt()).isEqualTo(3);
    assertThat(plan.get("keys")).hasSize(3);
    JsonNode o3 = null;
    for (JsonNode k : plan.get("keys")) {
      if (k.get("key").asText().equals("o3")) {
        o3 = k;
      }
    }
    assertThat(o3).isNotNull();
    assertThat(o3.get("pendingAfter").asLong()).isEqualTo(2);
    assertThat(o3.get("note").asText()).contains("2 newer message(s) of this key are pending");
    assertThat(deadLetters("topic = 'orders'")).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM outpost_admin_audit")).isZero();
  }

  @Test
  void replay_asks_for_confirmation_and_refuses_without_stdin() {
    scenario.produceDeadLetters();

    Run closed = cli("", "dead-letters", "replay", "--topic", "orders", "--confirm-above", "2");
    Run declined =
        cli("no\n", "dead-letters", "replay", "--topic", "orders", "--confirm-above", "2");

    assertThat(closed.exit()).isEqualTo(OutpostCli.ABORTED);
    assertThat(closed.err()).contains("stdin is closed").contains("--yes");
    assertThat(declined.exit()).isEqualTo(OutpostCli.ABORTED);
    assertThat(deadLetters("topic = 'orders'")).isEqualTo(3);
    assertThat(db.queryLong("SELECT count(*) FROM outpost_admin_audit")).isZero();
  }

  @Test
  void replay_moves_rows_back_audits_and_the_relay_publishes_them_in_key_order() {
    scenario.produceDeadLetters();

    Run run =
        cli(
            "yes\n",
            "dead-letters",
            "replay",
            "--topic",
            "orders",
            "--confirm-above",
            "2",
            "--batch-size",
            "1",
            "--rate",
            "1000");

    assertThat(run.exit()).as(run.err()).isEqualTo(OutpostCli.OK);
    assertThat(run.out()).contains("replay: 3 of 3");
    assertThat(run.err()).contains("[##############################] 3/3");
    assertThat(deadLetters("topic = 'orders'")).isZero();
    assertThat(deadLetters("topic = 'payments'")).isEqualTo(2);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outpost_admin_audit WHERE operator = 'tester' AND origin ="
                    + " 'cli' AND action = 'replay' AND filter = 'topic=orders' AND matched = 3"
                    + " AND affected = 3"))
        .isEqualTo(1);

    scenario.rejecting = false;
    scenario.drain();

    assertThat(scenario.delivered.get("o1")).containsExactly("bad o1-1", "o1-2");
    assertThat(scenario.delivered.get("o3")).containsExactly("bad o3-1", "o3-2", "o3-3");
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message")).isZero();
  }

  @Test
  void replay_takes_a_keys_other_dead_letters_along_unless_only_matching() {
    scenario.produceTwoDeadLettersOfOneKey();
    long secondId = db.queryLong("SELECT max(id) FROM outbox_dead_letter WHERE message_key = 'w1'");

    JsonNode whole =
        cli("", "dead-letters", "replay", "--id", Long.toString(secondId), "--dry-run", "--json")
            .json();
    JsonNode only =
        cli(
                "",
                "dead-letters",
                "replay",
                "--id",
                Long.toString(secondId),
                "--only-matching",
                "--dry-run",
                "--json")
            .json();

    assertThat(whole.get("matched").asInt()).isEqualTo(1);
    assertThat(whole.get("total").asInt()).isEqualTo(2);
    assertThat(whole.get("rows").get(0).get("outboxId").asLong())
        .isLessThan(whole.get("rows").get(1).get("outboxId").asLong());
    assertThat(whole.get("keys").get(0).get("note").asText()).contains("takes along 1");
    assertThat(only.get("total").asInt()).isEqualTo(1);
    assertThat(only.get("keys").get(0).get("note").asText()).contains("key stays parked");

    Run run = cli("", "dead-letters", "replay", "--id", Long.toString(secondId), "--yes");
    assertThat(run.exit()).as(run.err()).isEqualTo(OutpostCli.OK);
    scenario.rejecting = false;
    scenario.drain();
    assertThat(scenario.delivered.get("w1")).containsExactly("w1-3", "bad w1-1", "bad w1-2");
  }

  @Test
  void a_dead_letter_whose_message_is_back_in_the_outbox_stays() {
    scenario.produceDeadLetters();
    db.execute(
        "INSERT INTO outbox_message (message_id, topic, message_key, partition_no, payload,"
            + " headers, created_at, available_at) SELECT message_id, topic, message_key,"
            + " partition_no, payload, headers, created_at, created_at FROM outbox_dead_letter"
            + " WHERE message_key = 'o2'");

    Run run = cli("", "--json", "dead-letters", "replay", "--key", "o2", "--yes");

    assertThat(run.exit()).as(run.err()).isEqualTo(OutpostCli.OK);
    assertThat(run.json().get("planned").asLong()).isEqualTo(1);
    assertThat(run.json().get("affected").asLong()).isZero();
    assertThat(deadLetters("message_key = 'o2'")).isEqualTo(1);
    assertThat(db.queryLong("SELECT count(*) FROM outbox_message WHERE message_key = 'o2'"))
        .isEqualTo(2);
  }

  @Test
  void purge_deletes_exactly_the_matched_rows_and_audits() {
    scenario.produceDeadLetters();

    Run run = cli("", "--json", "dead-letters", "purge", "--error", "too large", "--yes");

    assertThat(run.exit()).as(run.err()).isEqualTo(OutpostCli.OK);
    assertThat(run.json().get("affected").asLong()).isEqualTo(2);
    assertThat(deadLetters("topic = 'payments'")).isZero();
    assertThat(deadLetters("topic = 'orders'")).isEqualTo(3);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outpost_admin_audit WHERE action = 'purge' AND affected = 2"))
        .isEqualTo(1);
  }

  @Test
  void bulk_actions_without_a_filter_need_all() {
    scenario.produceDeadLetters();

    Run purge = cli("", "dead-letters", "purge", "--yes");
    Run bad = cli("", "dead-letters", "replay", "--topic", "orders", "--batch-size", "0");

    assertThat(purge.exit()).isEqualTo(OutpostCli.USAGE);
    assertThat(purge.err()).contains("--all");
    assertThat(bad.exit()).isEqualTo(OutpostCli.USAGE);
    assertThat(bad.err()).contains("--batch-size is 0");
    assertThat(deadLetters("true")).isEqualTo(5);
  }

  @Test
  void lists_and_cancels_delayed_messages() {
    for (int i = 1; i <= 3; i++) {
      scenario.delay("o" + i, "order-" + i, Instant.now().plus(Duration.ofHours(i)));
    }

    JsonNode list = cli("", "delayed", "list", "--json").json();
    Run cancel = cli("", "delayed", "cancel", "--cancel-key", "order-2", "--json");
    Run missing = cli("", "delayed", "cancel", "--id", "999999");

    assertThat(list).hasSize(3);
    assertThat(list.get(0).get("cancelKey").asText()).isEqualTo("order-1");
    assertThat(cancel.exit()).as(cancel.err()).isEqualTo(OutpostCli.OK);
    assertThat(cancel.json().get("affected").asLong()).isEqualTo(1);
    assertThat(missing.exit()).isEqualTo(OutpostCli.NOT_FOUND);
    assertThat(db.queryLong("SELECT count(*) FROM delayed_message")).isEqualTo(2);
    assertThat(
            db.queryLong(
                "SELECT count(*) FROM outpost_admin_audit WHERE action = 'cancel-delayed'"
                    + " AND filter = 'cancel-key=order-2' AND affected = 1"))
        .isEqualTo(1);
    JsonNode status = cli("", "status", "--json").json();
    assertThat(status.get("delayed").get("count").asLong()).isEqualTo(2);
  }

  @Test
  void never_prints_the_password() {
    Map<String, String> env = Map.of(OutpostCli.PASSWORD_ENV, PASSWORD_MARKER);

    Run failed =
        run(
            env,
            "",
            "--jdbc-url",
            "jdbc:postgresql://127.0.0.1:1/nowhere?connectTimeout=2&password=" + PASSWORD_MARKER,
            "status");
    Run help = run(env, "", "--help");

    assertThat(failed.exit()).isEqualTo(OutpostCli.FAILED);
    assertThat(failed.err()).startsWith("error: ").doesNotContain(PASSWORD_MARKER);
    assertThat(failed.out()).doesNotContain(PASSWORD_MARKER);
    assertThat(help.exit()).isEqualTo(OutpostCli.OK);
    assertThat(help.out()).contains("OUTPOST_DB_PASSWORD").doesNotContain(PASSWORD_MARKER);
  }

  @Test
  void console_refuses_a_public_address_without_a_token() {
    Run run = cli("", "console", "--host", "0.0.0.0", "--port", "0");

    assertThat(run.exit()).isEqualTo(OutpostCli.USAGE);
    assertThat(run.err()).contains("not a loopback address").contains("token");
  }
}
