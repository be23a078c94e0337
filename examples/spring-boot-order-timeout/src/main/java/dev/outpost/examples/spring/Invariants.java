package dev.outpost.examples.spring;

import dev.outpost.delay.DelayScheduler;
import dev.outpost.relay.DeadLetterFilter;
import dev.outpost.relay.DeadLetters;
import dev.outpost.relay.OutboxBacklog;
import dev.outpost.relay.PartitionBacklog;
import java.util.ArrayList;
import java.util.List;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The checks that prove the parts worked together, computed from what the database holds, the same
 * as the plain example's: stock conserved, every order paid xor released, each message's effect
 * once, no timeout early, nothing left behind.
 */
@Component
public class Invariants {

  /** One check: what it proves, whether it holds, the numbers behind it. */
  public record Check(String description, boolean holds, String detail) {}

  private final JdbcTemplate jdbc;
  private final OutboxBacklog backlog;
  private final DelayScheduler delays;
  private final DeadLetters deadLetters;
  private final Consumers consumers;

  Invariants(
      JdbcTemplate jdbc,
      OutboxBacklog backlog,
      DelayScheduler delays,
      DeadLetters deadLetters,
      Consumers consumers) {
    this.jdbc = jdbc;
    this.backlog = backlog;
    this.delays = delays;
    this.deadLetters = deadLetters;
    this.consumers = consumers;
  }

  /** Whether everything has settled: no unpaid order, nothing waiting, every order noticed. */
  public boolean settled() {
    return count("SELECT count(*) FROM orders WHERE status = 'UNPAID'") == 0
        && outboxBacklog() == 0
        && delays.pending().count() == 0
        && count(
                "SELECT count(*) FROM orders o WHERE NOT EXISTS"
                    + " (SELECT 1 FROM order_notice n WHERE n.order_id = o.id)")
            == 0;
  }

  /** Every check. */
  public List<Check> check() {
    List<Check> checks = new ArrayList<>();
    long unbalanced =
        count(
            """
            SELECT count(*) FROM stock s WHERE s.initial <> s.available
              + coalesce((SELECT sum(quantity) FROM orders o
                          WHERE o.item = s.item AND o.status IN ('UNPAID', 'PAID')), 0)""");
    checks.add(
        new Check(
            "stock conserved per item: initial = available + locked (unpaid) + sold (paid)",
            unbalanced == 0,
            unbalanced + " items out of balance"));
    long unpaid = count("SELECT count(*) FROM orders WHERE status = 'UNPAID'");
    checks.add(
        new Check("every order paid xor released by its timeout", unpaid == 0, unpaid + " unpaid"));
    long wrongReleases =
        count(
            """
            SELECT count(*) FROM orders o
            LEFT JOIN (SELECT order_id, count(*) AS n FROM stock_release GROUP BY order_id) r
              ON r.order_id = o.id
            WHERE coalesce(r.n, 0) <> CASE WHEN o.status = 'CANCELLED' THEN 1 ELSE 0 END""");
    checks.add(
        new Check(
            "stock released exactly once per cancelled order, never for a paid one",
            wrongReleases == 0,
            wrongReleases + " orders with a wrong release count"));
    long wrongNotices =
        count(
            """
            SELECT count(*) FROM orders o
            LEFT JOIN (SELECT order_id, count(*) AS n FROM order_notice GROUP BY order_id) n
              ON n.order_id = o.id
            WHERE coalesce(n.n, 0) <> 1""");
    checks.add(
        new Check(
            "every order.created handled exactly once (no message lost, duplicates skipped)",
            wrongNotices == 0,
            wrongNotices + " orders noticed zero or several times"));
    long early = consumers.earlyTimeouts();
    checks.add(new Check("no timeout delivered before its due time", early == 0, early + " early"));
    long waiting = outboxBacklog();
    long pending = delays.pending().count();
    long dead = deadLetters.count(DeadLetterFilter.all());
    checks.add(
        new Check(
            "nothing left behind: outbox and delayed messages empty, no dead letters",
            waiting == 0 && pending == 0 && dead == 0,
            waiting + " in the outbox, " + pending + " delayed, " + dead + " dead letters"));
    return checks;
  }

  private long outboxBacklog() {
    return backlog.byPartition().stream().mapToLong(PartitionBacklog::messages).sum();
  }

  private long count(String sql) {
    Long n = jdbc.queryForObject(sql, Long.class);
    return n == null ? 0 : n;
  }
}
