package dev.outpost.admin.internal.cli;

import dev.outpost.admin.OutpostCli;
import dev.outpost.admin.internal.Operations.Status;
import dev.outpost.admin.internal.Rows;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code outpost status}. */
@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description =
        "Backlog per partition, oldest pending age, relays and leases, delayed messages,"
            + " dead letters by topic and error.")
final class StatusCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Option(names = "--json", description = "Machine-readable JSON on stdout")
  boolean json;

  @Override
  public Integer call() {
    Status s = root.operations().status();
    if (json || root.json) {
      root.printJson(s);
      return OutpostCli.OK;
    }
    PrintStream out = root.io.out();
    out.printf(
        "backlog: %d pending (%d retrying), oldest pending age %s%n",
        s.pending(), s.retrying(), Formats.age(s.oldestPendingAgeMillis()));
    out.printf("%-10s %10s %10s  %s%n", "partition", "pending", "retrying", "oldest");
    for (Rows.PartitionBacklog p : s.partitions()) {
      out.printf("%-10d %10d %10d  %s%n", p.partition(), p.pending(), p.retrying(), p.oldest());
    }
    out.printf("relays: %d%n", s.relays().size());
    for (Rows.RelayInstance r : s.relays()) {
      boolean alive = r.expiresAt() != null && r.expiresAt().isAfter(s.at());
      long owned = s.leases().stream().filter(l -> r.instanceId().equals(l.owner())).count();
      out.printf(
          "  %s  %s  heartbeat %s  leases %d%n",
          r.instanceId(), alive ? "alive" : "expired", r.heartbeatAt(), owned);
    }
    long held =
        s.leases().stream()
            .filter(l -> l.owner() != null && l.expiresAt() != null)
            .filter(l -> l.expiresAt().isAfter(s.at()))
            .count();
    out.printf("leases: %d of %d partitions held%n", held, s.leases().size());
    for (Rows.Lease l : s.leases()) {
      if (l.owner() != null) {
        out.printf(
            "  partition %d  %s  until %s  token %d%n",
            l.partition(), l.owner(), l.expiresAt(), l.fencingToken());
      }
    }
    out.printf(
        "delayed: %d, next due %s%n", s.delayed().count(), Formats.text(s.delayed().nextDue()));
    out.printf("dead letters: %d%n", s.deadLetters());
    for (Rows.DeadLetterGroup g : s.deadLetterGroups()) {
      out.printf("  %6d  %-20s %s%n", g.count(), g.topic(), Formats.shorten(g.error(), 80));
    }
    return OutpostCli.OK;
  }
}
