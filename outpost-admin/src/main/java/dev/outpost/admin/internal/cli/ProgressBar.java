package dev.outpost.admin.internal.cli;

import dev.outpost.admin.internal.Operations.Progress;
import java.io.PrintStream;

/** A one-line progress bar on stderr, redrawn in place. */
final class ProgressBar implements Progress {

  private static final int WIDTH = 30;

  private final PrintStream err;
  private final String label;

  ProgressBar(PrintStream err, String label) {
    this.err = err;
    this.label = label;
  }

  @Override
  public void update(long done, long total) {
    int filled = total == 0 ? WIDTH : (int) (WIDTH * done / total);
    err.print(
        "\r"
            + label
            + " ["
            + "#".repeat(filled)
            + ".".repeat(WIDTH - filled)
            + "] "
            + done
            + "/"
            + total);
    if (done >= total) {
      err.println();
    }
    err.flush();
  }
}
