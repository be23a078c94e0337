package dev.outpost.admin.internal.cli;

import dev.outpost.admin.OutpostCli;
import picocli.CommandLine.Option;

/** Options shared by replay, purge and cancel. */
final class BulkOptions {

  static final int DEFAULT_CONFIRM_ABOVE = 100;
  static final int DEFAULT_BATCH_SIZE = 500;

  @Option(names = "--dry-run", description = "Show what would happen; change nothing")
  boolean dryRun;

  @Option(names = "--yes", description = "Do not ask for confirmation")
  boolean yes;

  @Option(
      names = "--confirm-above",
      description = "Ask for confirmation when more rows than this are affected (default: 100)")
  int confirmAbove = DEFAULT_CONFIRM_ABOVE;

  @Option(names = "--batch-size", description = "Rows per transaction (default: 500)")
  int batchSize = DEFAULT_BATCH_SIZE;

  @Option(names = "--rate", description = "At most this many rows per second (default: no limit)")
  int rate;

  @Option(names = "--no-progress", description = "No progress bar on stderr")
  boolean noProgress;

  @Option(names = "--all", description = "Allow the action without any filter (every row)")
  boolean all;

  void validate() {
    if (batchSize < 1 || batchSize > 10_000) {
      throw new IllegalArgumentException("--batch-size is " + batchSize + "; allowed 1..10000");
    }
    if (rate < 0) {
      throw new IllegalArgumentException("--rate is " + rate + "; allowed 0 (no limit) or more");
    }
    if (confirmAbove < 0) {
      throw new IllegalArgumentException(
          "--confirm-above is " + confirmAbove + "; allowed 0 or more");
    }
  }

  /**
   * Asks on stderr and reads the answer from stdin when more than {@link #confirmAbove} rows are
   * affected and {@code --yes} is not given.
   *
   * @return {@link OutpostCli#OK} to go on, {@link OutpostCli#ABORTED} otherwise
   */
  int confirm(CliIo io, String what, long rows) {
    if (yes || rows <= confirmAbove) {
      return OutpostCli.OK;
    }
    io.err().print(what + " (" + rows + " rows). Type 'yes' to continue: ");
    io.err().flush();
    String answer = io.readLine();
    if (answer == null) {
      io.err().println();
      io.err()
          .println(
              "error: "
                  + rows
                  + " rows need a confirmation (more than --confirm-above "
                  + confirmAbove
                  + ") but stdin is closed; re-run with --yes to confirm non-interactively");
      return OutpostCli.ABORTED;
    }
    if (!answer.trim().equalsIgnoreCase("yes")) {
      io.err().println("aborted; nothing changed");
      return OutpostCli.ABORTED;
    }
    return OutpostCli.OK;
  }
}
