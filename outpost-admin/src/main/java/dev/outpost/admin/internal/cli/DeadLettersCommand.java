package dev.outpost.admin.internal.cli;

import dev.outpost.admin.OutpostCli;
import dev.outpost.admin.internal.Operations;
import dev.outpost.admin.internal.Operations.Progress;
import dev.outpost.admin.internal.PlanView;
import dev.outpost.admin.internal.Plans.BulkResult;
import dev.outpost.admin.internal.Plans.DeadLetterPlan;
import dev.outpost.admin.internal.Plans.KeyNote;
import dev.outpost.admin.internal.Rows.DeadLetterDetail;
import dev.outpost.admin.internal.Rows.DeadLetterRow;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/** {@code outpost dead-letters list|show|replay|purge}. */
@Command(
    name = "dead-letters",
    mixinStandardHelpOptions = true,
    description = "List, show, replay or purge dead letters.",
    subcommands = {
      DeadLettersCommand.ListCommand.class,
      DeadLettersCommand.ShowCommand.class,
      DeadLettersCommand.ReplayCommand.class,
      DeadLettersCommand.PurgeCommand.class
    })
final class DeadLettersCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Override
  public Integer call() {
    new CommandLine(this).usage(root.io.out());
    return OutpostCli.USAGE;
  }

  @Command(name = "list", mixinStandardHelpOptions = true, description = "List dead letters.")
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand DeadLettersCommand parent;
    @Mixin FilterOptions filter;

    @Option(names = "--limit", description = "At most this many (default: 100)")
    int limit = 100;

    @Option(names = "--after-id", description = "Only ids above this (paging)")
    long afterId;

    @Option(names = "--json", description = "Machine-readable JSON on stdout")
    boolean json;

    @Override
    public Integer call() {
      RootCommand root = parent.root;
      if (limit < 1 || limit > 10_000) {
        throw new IllegalArgumentException("--limit is " + limit + "; allowed 1..10000");
      }
      Operations ops = root.operations();
      var query = filter.query(Instant.now());
      List<DeadLetterRow> rows = ops.queries().deadLetters(query, afterId, limit);
      if (json || root.json) {
        root.printJson(rows);
        return OutpostCli.OK;
      }
      PrintStream out = root.io.out();
      out.printf(
          "%-8s %-36s %-16s %-16s %-24s %4s  %s%n",
          "id", "message id", "topic", "key", "failed at", "att", "last error");
      for (DeadLetterRow r : rows) {
        out.printf(
            "%-8d %-36s %-16s %-16s %-24s %4d  %s%n",
            r.id(),
            r.messageId(),
            Formats.shorten(r.topic(), 16),
            Formats.shorten(r.key(), 16),
            r.failedAt(),
            r.attempts(),
            Formats.shorten(r.lastError(), 60));
      }
      out.printf("%d shown, %d match%n", rows.size(), ops.queries().countDeadLetters(query));
      return OutpostCli.OK;
    }
  }

  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one dead letter with payload and headers.")
  static final class ShowCommand implements Callable<Integer> {
    @ParentCommand DeadLettersCommand parent;

    @Parameters(paramLabel = "ID", description = "Dead-letter id")
    long id;

    @Option(names = "--json", description = "Machine-readable JSON on stdout")
    boolean json;

    @Override
    public Integer call() {
      RootCommand root = parent.root;
      Optional<DeadLetterDetail> found = root.operations().queries().deadLetter(id);
      if (found.isEmpty()) {
        root.io.err().println("error: no dead letter with id " + id);
        return OutpostCli.NOT_FOUND;
      }
      DeadLetterDetail d = found.get();
      if (json || root.json) {
        root.printJson(d);
        return OutpostCli.OK;
      }
      PrintStream out = root.io.out();
      DeadLetterRow r = d.row();
      out.println("id:          " + r.id());
      out.println("message id:  " + r.messageId());
      out.println("topic:       " + r.topic());
      out.println("key:         " + Formats.text(r.key()));
      out.println("partition:   " + r.partition());
      out.println("outbox id:   " + r.outboxId());
      out.println("created at:  " + r.createdAt());
      out.println("failed at:   " + r.failedAt());
      out.println("attempts:    " + r.attempts());
      out.println("last error:  " + Formats.text(r.lastError()));
      out.println("headers:     " + d.headers());
      out.println("payload:");
      out.println(d.payload());
      return OutpostCli.OK;
    }
  }

  /** Shared body of replay and purge. */
  abstract static class BulkCommand implements Callable<Integer> {
    @ParentCommand DeadLettersCommand parent;
    @Mixin FilterOptions filter;
    @Mixin BulkOptions bulk;

    @Option(names = "--json", description = "Machine-readable JSON on stdout")
    boolean json;

    abstract DeadLetterPlan plan(Operations ops);

    @Override
    public Integer call() {
      RootCommand root = parent.root;
      bulk.validate();
      if (filter.isEmpty() && !bulk.all) {
        throw new IllegalArgumentException(
            "no filter given; name --id, --message-id, --topic, --key, --failed-from,"
                + " --failed-before or --error, or pass --all to act on every dead letter");
      }
      Operations ops = root.operations();
      DeadLetterPlan plan = plan(ops);
      boolean asJson = json || root.json;
      if (bulk.dryRun) {
        if (asJson) {
          root.printJson(PlanView.of(plan));
        } else {
          printPlan(root.io.out(), plan);
        }
        return OutpostCli.OK;
      }
      if (!asJson) {
        printNotes(root.io.err(), plan);
      }
      int confirmed =
          bulk.confirm(
              root.io, plan.action() + " dead letters matching " + plan.filter(), plan.total());
      if (confirmed != OutpostCli.OK) {
        return confirmed;
      }
      Progress progress =
          bulk.noProgress ? Progress.NONE : new ProgressBar(root.io.err(), plan.action());
      BulkResult result = ops.execute(plan, bulk.rate, progress, root.operator, "cli");
      if (asJson) {
        root.printJson(result);
      } else {
        root.io
            .out()
            .printf(
                "%s: %d of %d dead letters (filter: %s)%n",
                plan.action(), result.affected(), result.planned(), plan.filter());
      }
      return OutpostCli.OK;
    }

    private static void printPlan(PrintStream out, DeadLetterPlan plan) {
      out.printf(
          "dry run: %s would take %d dead letters (%d matched the filter %s) in %d batches%n",
          plan.action(), plan.total(), plan.matched(), plan.filter(), plan.batches().size());
      printNotes(out, plan);
      for (DeadLetterRow r : plan.rows().subList(0, Math.min(PlanView.MAX_ROWS, plan.total()))) {
        out.printf(
            "  %-8d %-36s %-16s %-16s %s%n",
            r.id(),
            r.messageId(),
            Formats.shorten(r.topic(), 16),
            Formats.shorten(r.key(), 16),
            Formats.shorten(r.lastError(), 50));
      }
      if (plan.total() > PlanView.MAX_ROWS) {
        out.printf("  ... and %d more%n", plan.total() - PlanView.MAX_ROWS);
      }
    }

    private static void printNotes(PrintStream out, DeadLetterPlan plan) {
      for (KeyNote k : plan.keys()) {
        out.printf("key %s (partition %d): %s%n", k.key(), k.partition(), k.note());
      }
    }
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Move dead letters back into the outbox (same message id, original position).",
        "By default every dead letter of a matched key goes back with it, in original order."
      })
  static final class ReplayCommand extends BulkCommand {
    @Option(
        names = "--only-matching",
        description =
            "Replay only the matched dead letters, not the other dead letters of their keys"
                + " (the key stays parked while any remain)")
    boolean onlyMatching;

    @Override
    DeadLetterPlan plan(Operations ops) {
      return ops.planReplay(filter.query(Instant.now()), !onlyMatching, bulk.batchSize);
    }
  }

  @Command(
      name = "purge",
      mixinStandardHelpOptions = true,
      description = "Delete dead letters for good (a parked key then goes on without them).")
  static final class PurgeCommand extends BulkCommand {
    @Override
    DeadLetterPlan plan(Operations ops) {
      return ops.planPurge(filter.query(Instant.now()), bulk.batchSize);
    }
  }
}
