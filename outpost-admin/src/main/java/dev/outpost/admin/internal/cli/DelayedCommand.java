package dev.outpost.admin.internal.cli;

import dev.outpost.admin.OutpostCli;
import dev.outpost.admin.internal.DelayedQuery;
import dev.outpost.admin.internal.Operations;
import dev.outpost.admin.internal.Operations.Progress;
import dev.outpost.admin.internal.Plans.BulkResult;
import dev.outpost.admin.internal.Plans.DelayedPlan;
import dev.outpost.admin.internal.Rows.DelayedRow;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code outpost delayed list|cancel}. */
@Command(
    name = "delayed",
    mixinStandardHelpOptions = true,
    description = "List or cancel delayed messages.",
    subcommands = {DelayedCommand.ListCommand.class, DelayedCommand.CancelCommand.class})
final class DelayedCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Override
  public Integer call() {
    new CommandLine(this).usage(root.io.out());
    return OutpostCli.USAGE;
  }

  /** The delayed-message filter options. */
  static final class DelayedFilter {
    @Option(names = "--id", description = "Delayed-message id (repeatable)")
    List<Long> ids = new ArrayList<>();

    @Option(names = "--topic", description = "Only this topic")
    String topic;

    @Option(names = "--cancel-key", description = "Only this cancel key")
    String cancelKey;

    @Option(
        names = "--due-before",
        description = "Due before: ISO-8601 instant (e.g. 2026-01-31T12:00:00Z)")
    Instant dueBefore;

    DelayedQuery query() {
      return new DelayedQuery(ids, topic, cancelKey, dueBefore);
    }
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "List delayed messages, earliest due first.")
  static final class ListCommand implements Callable<Integer> {
    @ParentCommand DelayedCommand parent;
    @Mixin DelayedFilter filter;

    @Option(names = "--limit", description = "At most this many (default: 100)")
    int limit = 100;

    @Option(names = "--json", description = "Machine-readable JSON on stdout")
    boolean json;

    @Override
    public Integer call() {
      RootCommand root = parent.root;
      if (limit < 1 || limit > 10_000) {
        throw new IllegalArgumentException("--limit is " + limit + "; allowed 1..10000");
      }
      List<DelayedRow> rows = root.operations().queries().delayed(filter.query(), limit);
      if (json || root.json) {
        root.printJson(rows);
        return OutpostCli.OK;
      }
      PrintStream out = root.io.out();
      out.printf(
          "%-8s %-36s %-16s %-16s %-20s %s%n",
          "id", "message id", "topic", "key", "cancel key", "deliver at");
      for (DelayedRow r : rows) {
        out.printf(
            "%-8d %-36s %-16s %-16s %-20s %s%n",
            r.id(),
            r.messageId(),
            Formats.shorten(r.topic(), 16),
            Formats.shorten(r.key(), 16),
            Formats.shorten(r.cancelKey(), 20),
            r.deliverAt());
      }
      out.printf("%d shown%n", rows.size());
      return OutpostCli.OK;
    }
  }

  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Cancel delayed messages (they are never delivered).")
  static final class CancelCommand implements Callable<Integer> {
    @ParentCommand DelayedCommand parent;
    @Mixin DelayedFilter filter;
    @Mixin BulkOptions bulk;

    @Option(names = "--json", description = "Machine-readable JSON on stdout")
    boolean json;

    @Override
    public Integer call() {
      RootCommand root = parent.root;
      bulk.validate();
      DelayedQuery query = filter.query();
      if (query.isAll() && !bulk.all) {
        throw new IllegalArgumentException(
            "no filter given; name --id, --topic, --cancel-key or --due-before, or pass --all"
                + " to cancel every delayed message");
      }
      Operations ops = root.operations();
      DelayedPlan plan = ops.planCancel(query);
      boolean asJson = json || root.json;
      if (bulk.dryRun) {
        if (asJson) {
          root.printJson(plan);
        } else {
          root.io
              .out()
              .printf(
                  "dry run: cancel would take %d delayed messages (filter: %s)%n",
                  plan.rows().size(), plan.filter());
        }
        return OutpostCli.OK;
      }
      if (!ids().isEmpty() && plan.rows().isEmpty()) {
        root.io.err().println("error: no delayed message with id " + ids());
        return OutpostCli.NOT_FOUND;
      }
      int confirmed =
          bulk.confirm(
              root.io, "cancel delayed messages matching " + plan.filter(), plan.rows().size());
      if (confirmed != OutpostCli.OK) {
        return confirmed;
      }
      Progress progress =
          bulk.noProgress ? Progress.NONE : new ProgressBar(root.io.err(), "cancel");
      BulkResult result =
          ops.cancel(plan, bulk.batchSize, bulk.rate, progress, root.operator, "cli");
      if (asJson) {
        root.printJson(result);
      } else {
        root.io
            .out()
            .printf("cancelled: %d of %d delayed messages%n", result.affected(), result.planned());
      }
      return OutpostCli.OK;
    }

    private List<Long> ids() {
      return filter.ids;
    }
  }
}
