package dev.outpost.admin.internal;

import dev.outpost.admin.DeadLetterQuery;
import dev.outpost.admin.internal.Plans.BulkResult;
import dev.outpost.admin.internal.Plans.DeadLetterPlan;
import dev.outpost.admin.internal.Plans.DelayedPlan;
import dev.outpost.admin.internal.Plans.KeyNote;
import dev.outpost.admin.internal.Rows.DeadLetterRow;
import dev.outpost.admin.internal.Rows.DelayedRow;
import dev.outpost.admin.internal.Rows.KeyPending;
import dev.outpost.admin.internal.Rows.PartitionBacklog;
import dev.outpost.common.Dialect;
import dev.outpost.outbox.OutpostException;
import dev.outpost.outbox.schema.OutpostSchema;
import dev.outpost.relay.DeadLetters;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import javax.sql.DataSource;

/**
 * What the CLI and the console do: status, dead-letter plans and their execution, delayed messages.
 * Replays and purges go through the relay's {@link DeadLetters}. Thread-safe.
 */
public final class Operations {

  /** Most rows one replay, purge or cancel may take; narrow the filter beyond that. */
  public static final int MAX_PLAN_ROWS = 100_000;

  private final DataSource dataSource;
  private final String schema;
  private final Clock clock;
  private volatile Parts parts;

  /**
   * Operations on the tables of {@code schema}. The database's dialect is detected on first use, so
   * a console can be built while the database is still down.
   */
  public Operations(DataSource dataSource, String schema, Clock clock) {
    OutpostSchema.named(schema); // checks the name now
    this.dataSource = dataSource;
    this.schema = schema;
    this.clock = clock;
  }

  /** What runs the statements, for the detected dialect. */
  private record Parts(AdminQueries queries, DeadLetters deadLetters, AuditLog audit) {}

  private Parts parts() {
    Parts p = parts;
    if (p == null) {
      synchronized (this) {
        p = parts;
        if (p == null) {
          Dialect dialect = Dialect.detect(dataSource);
          p =
              new Parts(
                  new AdminQueries(dataSource, dialect, schema),
                  DeadLetters.create(dataSource, schema, clock),
                  new AuditLog(dataSource, dialect, schema));
          parts = p;
        }
      }
    }
    return p;
  }

  /** The read statements. */
  public AdminQueries queries() {
    return parts().queries();
  }

  /** The audit log. */
  public AuditLog audit() {
    return parts().audit();
  }

  /** The whole status view. */
  public Status status() {
    AdminQueries queries = queries();
    Instant now = clock.instant();
    List<PartitionBacklog> backlog = queries.backlog();
    long pending = backlog.stream().mapToLong(PartitionBacklog::pending).sum();
    long retrying = backlog.stream().mapToLong(PartitionBacklog::retrying).sum();
    Instant oldest =
        backlog.stream()
            .map(PartitionBacklog::oldest)
            .filter(java.util.Objects::nonNull)
            .min(Comparator.naturalOrder())
            .orElse(null);
    var groups = queries.deadLetterGroups();
    return new Status(
        now,
        pending,
        retrying,
        oldest,
        oldest == null ? null : Math.max(0, Duration.between(oldest, now).toMillis()),
        backlog,
        queries.relays(),
        queries.leases(),
        queries.delayedSummary(),
        groups.stream().mapToLong(Rows.DeadLetterGroup::count).sum(),
        groups,
        queries.highestOutboxId());
  }

  /**
   * Plans a replay. With {@code wholeKeys} (the default of the CLI and console) every other dead
   * letter of a matched key is taken along, so the key's dead letters go back in their original
   * order and the key is released once, after all of them.
   */
  public DeadLetterPlan planReplay(DeadLetterQuery query, boolean wholeKeys, int batchSize) {
    AdminQueries queries = queries();
    List<DeadLetterRow> matched = matching(query);
    Map<String, List<DeadLetterRow>> byKey = new LinkedHashMap<>();
    List<DeadLetterRow> keyless = new ArrayList<>();
    for (DeadLetterRow row : matched) {
      if (row.key() == null) {
        keyless.add(row);
      } else {
        byKey.computeIfAbsent(row.partition() + "/" + row.key(), k -> new ArrayList<>()).add(row);
      }
    }
    List<List<DeadLetterRow>> groups = new ArrayList<>();
    List<KeyNote> notes = new ArrayList<>();
    for (List<DeadLetterRow> rows : byKey.values()) {
      DeadLetterRow first = rows.get(0);
      List<DeadLetterRow> ofKey = queries.deadLettersOfKey(first.partition(), first.key());
      Set<Long> selectedIds = new LinkedHashSet<>();
      rows.forEach(r -> selectedIds.add(r.id()));
      List<DeadLetterRow> group = new ArrayList<>();
      int added = 0;
      int remaining = 0;
      for (DeadLetterRow r : ofKey) {
        if (selectedIds.contains(r.id())) {
          group.add(r);
        } else if (wholeKeys) {
          group.add(r);
          added++;
        } else {
          remaining++;
        }
      }
      if (group.isEmpty()) {
        continue; // replayed or purged by someone else meanwhile
      }
      groups.add(group);
      KeyPending pending =
          queries.pendingOfKey(first.partition(), first.key(), group.get(0).outboxId());
      String note = replayNote(group.size(), added, remaining, pending);
      if (note != null) {
        notes.add(
            new KeyNote(
                first.key(),
                first.partition(),
                group.size(),
                added,
                remaining,
                pending.before(),
                pending.after(),
                note));
      }
    }
    keyless.forEach(r -> groups.add(List.of(r)));
    groups.sort(Comparator.comparingLong(g -> g.get(0).outboxId()));
    return plan("replay", query, matched.size(), groups, notes, batchSize);
  }

  /** Plans a purge of exactly the matched dead letters. */
  public DeadLetterPlan planPurge(DeadLetterQuery query, int batchSize) {
    AdminQueries queries = queries();
    List<DeadLetterRow> matched = matching(query);
    Map<String, List<DeadLetterRow>> byKey = new LinkedHashMap<>();
    for (DeadLetterRow row : matched) {
      if (row.key() != null) {
        byKey.computeIfAbsent(row.partition() + "/" + row.key(), k -> new ArrayList<>()).add(row);
      }
    }
    List<KeyNote> notes = new ArrayList<>();
    for (List<DeadLetterRow> rows : byKey.values()) {
      DeadLetterRow first = rows.get(0);
      int remaining = queries.deadLettersOfKey(first.partition(), first.key()).size() - rows.size();
      KeyPending pending = queries.pendingOfKey(first.partition(), first.key(), first.outboxId());
      if (pending.after() > 0) {
        String note =
            remaining > 0
                ? remaining
                    + " other dead letter(s) of this key stay, so its "
                    + pending.after()
                    + " newer pending message(s) stay held back"
                : "purging releases the key: its "
                    + pending.after()
                    + " newer pending message(s) go on without the purged ones";
        notes.add(
            new KeyNote(
                first.key(),
                first.partition(),
                rows.size(),
                0,
                Math.max(0, remaining),
                pending.before(),
                pending.after(),
                note));
      }
    }
    List<List<DeadLetterRow>> groups = new ArrayList<>();
    matched.forEach(r -> groups.add(List.of(r)));
    return plan("purge", query, matched.size(), groups, notes, batchSize);
  }

  /**
   * Runs a plan batch by batch, at most {@code ratePerSecond} rows a second (0: unlimited), then
   * writes one audit row.
   */
  public BulkResult execute(
      DeadLetterPlan plan, int ratePerSecond, Progress progress, String operator, String origin) {
    boolean replay = "replay".equals(plan.action());
    DeadLetters deadLetters = parts().deadLetters();
    long affected =
        runAudited(
            plan.action(),
            plan.filter(),
            plan.matched(),
            plan.total(),
            plan.batches(),
            batch -> replay ? deadLetters.replay(batch) : deadLetters.purge(batch),
            ratePerSecond,
            progress,
            operator,
            origin);
    return new BulkResult(
        plan.action(), plan.filter(), false, plan.total(), affected, clock.instant());
  }

  /** Plans a cancel of delayed messages. */
  public DelayedPlan planCancel(DelayedQuery query) {
    List<DelayedRow> rows = queries().delayed(query, MAX_PLAN_ROWS + 1);
    if (rows.size() > MAX_PLAN_ROWS) {
      throw new OutpostException(
          "the filter matches more than " + MAX_PLAN_ROWS + " delayed messages; narrow it");
    }
    return new DelayedPlan(query.describe(), rows);
  }

  /** Cancels the planned delayed messages in batches and writes one audit row. */
  public BulkResult cancel(
      DelayedPlan plan,
      int batchSize,
      int ratePerSecond,
      Progress progress,
      String operator,
      String origin) {
    List<Long> ids = plan.rows().stream().map(DelayedRow::id).toList();
    List<List<Long>> batches = new ArrayList<>();
    for (int from = 0; from < ids.size(); from += batchSize) {
      batches.add(ids.subList(from, Math.min(ids.size(), from + batchSize)));
    }
    long affected =
        runAudited(
            "cancel-delayed",
            plan.filter(),
            ids.size(),
            ids.size(),
            batches,
            queries()::cancelDelayed,
            ratePerSecond,
            progress,
            operator,
            origin);
    return new BulkResult(
        "cancel-delayed", plan.filter(), false, ids.size(), affected, clock.instant());
  }

  /**
   * Runs the batches (each its own transaction) at most {@code ratePerSecond} rows a second, then
   * writes the audit row, also when a batch failed (action suffixed {@code -failed}, with the rows
   * affected until then).
   */
  private <T> long runAudited(
      String action,
      String filter,
      long matched,
      long total,
      List<List<T>> batches,
      java.util.function.ToIntFunction<List<T>> step,
      int ratePerSecond,
      Progress progress,
      String operator,
      String origin) {
    long done = 0;
    long affected = 0;
    Pacer pacer = new Pacer(ratePerSecond);
    progress.update(0, total);
    try {
      for (List<T> batch : batches) {
        pacer.awaitTurn(done);
        affected += step.applyAsInt(batch);
        done += batch.size();
        progress.update(done, total);
      }
    } catch (RuntimeException e) {
      try {
        audit()
            .record(
                clock.instant(), operator, origin, action + "-failed", filter, matched, affected);
      } catch (RuntimeException auditFailure) {
        e.addSuppressed(auditFailure);
      }
      throw e;
    }
    audit().record(clock.instant(), operator, origin, action, filter, matched, affected);
    return affected;
  }

  private List<DeadLetterRow> matching(DeadLetterQuery query) {
    List<DeadLetterRow> rows = new ArrayList<>();
    long after = 0;
    while (true) {
      List<DeadLetterRow> page = queries().deadLetters(query, after, DeadLetters.MAX_PAGE_SIZE);
      rows.addAll(page);
      if (rows.size() > MAX_PLAN_ROWS) {
        throw new OutpostException(
            "the filter matches more than " + MAX_PLAN_ROWS + " dead letters; narrow it");
      }
      if (page.size() < DeadLetters.MAX_PAGE_SIZE) {
        return rows;
      }
      after = page.get(page.size() - 1).id();
    }
  }

  private static String replayNote(int selected, int added, int remaining, KeyPending pending) {
    List<String> parts = new ArrayList<>();
    if (added > 0) {
      parts.add(
          "takes along "
              + added
              + " other dead letter(s) of this key the filter did not match, so the key's"
              + " dead letters go back in their original order");
    }
    if (remaining > 0) {
      parts.add(
          remaining
              + " other dead letter(s) of this key stay: the key stays parked and the replayed"
              + " messages wait behind them");
    }
    if (pending.after() > 0) {
      parts.add(
          pending.after()
              + " newer message(s) of this key are pending (held back while the key is parked);"
              + " the replayed ones go back ahead of them, in their original order");
    }
    if (pending.before() > 0) {
      parts.add(pending.before() + " older message(s) of this key are still pending before them");
    }
    return parts.isEmpty() ? null : String.join("; ", parts);
  }

  private static DeadLetterPlan plan(
      String action,
      DeadLetterQuery query,
      long matched,
      List<List<DeadLetterRow>> groups,
      List<KeyNote> notes,
      int batchSize) {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize is " + batchSize + "; allowed 1 or more");
    }
    List<DeadLetterRow> rows = new ArrayList<>();
    List<List<UUID>> batches = new ArrayList<>();
    List<UUID> current = new ArrayList<>();
    for (List<DeadLetterRow> group : groups) {
      if (!current.isEmpty() && current.size() + group.size() > batchSize) {
        batches.add(current);
        current = new ArrayList<>();
      }
      for (DeadLetterRow row : group) {
        rows.add(row);
        current.add(row.messageId());
        if (current.size() == batchSize) {
          batches.add(current);
          current = new ArrayList<>();
        }
      }
    }
    if (!current.isEmpty()) {
      batches.add(current);
    }
    return new DeadLetterPlan(
        action, query.describe(), matched, List.copyOf(rows), List.copyOf(batches), notes);
  }

  /** Receives progress of a bulk action. */
  @FunctionalInterface
  public interface Progress {
    /** {@code done} of {@code total} rows are through. */
    void update(long done, long total);

    /** Ignores progress. */
    Progress NONE = (done, total) -> {};
  }

  /** Keeps a bulk action at or below a rate by waiting before a batch. */
  private final class Pacer {
    private final int ratePerSecond;
    private final Instant start = clock.instant();

    Pacer(int ratePerSecond) {
      this.ratePerSecond = ratePerSecond;
    }

    void awaitTurn(long done) {
      if (ratePerSecond <= 0 || done == 0) {
        return;
      }
      Instant due = start.plusMillis(done * 1000 / ratePerSecond);
      long waitMillis = Duration.between(clock.instant(), due).toMillis();
      if (waitMillis > 0) {
        try {
          Thread.sleep(waitMillis);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new OutpostException("interrupted while pacing the bulk action", e);
        }
      }
    }
  }

  /**
   * The status view.
   *
   * @param at when it was read
   * @param pending outbox messages waiting to be published
   * @param retrying of those, messages that failed at least once
   * @param oldestPending creation time of the oldest pending message, or null
   * @param oldestPendingAgeMillis its age, or null
   * @param partitions backlog per partition (only partitions with pending messages)
   * @param relays registered relay instances
   * @param leases partition leases
   * @param delayed delayed messages
   * @param deadLetters dead letters in total
   * @param deadLetterGroups dead letters by topic and error
   * @param highestOutboxId highest outbox id seen (for the write-rate estimate)
   */
  public record Status(
      Instant at,
      long pending,
      long retrying,
      Instant oldestPending,
      Long oldestPendingAgeMillis,
      List<PartitionBacklog> partitions,
      List<Rows.RelayInstance> relays,
      List<Rows.Lease> leases,
      Rows.DelayedSummary delayed,
      long deadLetters,
      List<Rows.DeadLetterGroup> deadLetterGroups,
      long highestOutboxId) {}
}
