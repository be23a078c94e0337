package dev.outpost.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The checks that prove the parts worked together, computed from what the database holds (so they
 * also hold across a crash and restart). Each names what it proves.
 */
final class Invariants {

  /** One check: its description, whether it holds, and the numbers behind it. */
  record Check(String description, boolean holds, String detail) {}

  private Invariants() {}

  static List<Check> check(Queries queries, Stats stats) {
    List<Check> checks = new ArrayList<>();
    List<StockRepository.StockLevel> stock = queries.stock();
    checks.add(
        new Check(
            "stock balanced per item: initial = available + locked (unpaid) + sold (paid)",
            stock.stream().allMatch(StockRepository.StockLevel::balanced),
            stock.stream()
                .map(
                    s ->
                        s.item()
                            + " "
                            + s.initial()
                            + " = "
                            + s.available()
                            + " + "
                            + s.locked()
                            + " + "
                            + s.sold())
                .collect(Collectors.joining(", "))));
    long unpaid = queries.orders(Order.Status.UNPAID);
    checks.add(
        new Check(
            "every order settled: paid, or released by its timeout",
            unpaid == 0,
            unpaid + " still unpaid"));
    long wrongReleases = queries.wrongReleases();
    checks.add(
        new Check(
            "stock released exactly once per cancelled order, never for a paid one",
            wrongReleases == 0,
            wrongReleases + " orders with a wrong release count"));
    long wrongNotices = queries.wrongNotices();
    checks.add(
        new Check(
            "every OrderCreated handled by the inventory consumer exactly once",
            wrongNotices == 0,
            wrongNotices + " orders noticed zero or several times"));
    long[] lateness = stats.lateness();
    checks.add(
        new Check(
            "no timeout delivered before its due time",
            lateness[1] >= 0,
            "earliest " + lateness[1] + " ms after due"));
    Queries.OutboxStatus status = queries.outboxStatus();
    checks.add(
        new Check(
            "nothing left behind: outbox and delayed table empty, no dead letters",
            status.backlog() == 0 && status.delayedPending() == 0 && status.deadLetters() == 0,
            status.backlog()
                + " in the outbox, "
                + status.delayedPending()
                + " delayed, "
                + status.deadLetters()
                + " dead letters"));
    return checks;
  }
}
