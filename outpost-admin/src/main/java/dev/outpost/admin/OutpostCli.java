package dev.outpost.admin;

import dev.outpost.admin.internal.cli.CliIo;
import dev.outpost.admin.internal.cli.RootCommand;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Map;

/**
 * The {@code outpost} command line: {@code status}, {@code dead-letters list|show|replay|purge},
 * {@code delayed list|cancel} and {@code console}. Run {@code java -jar outpost-admin.jar --help}.
 *
 * <p>Exit codes: {@value #OK} done; {@value #FAILED} the database or the action failed; {@value
 * #USAGE} bad arguments; {@value #ABORTED} a confirmation was declined or could not be asked (no
 * stdin); {@value #NOT_FOUND} the named row does not exist.
 */
public final class OutpostCli {

  /** Exit code: done. */
  public static final int OK = 0;

  /** Exit code: the database or the action failed. */
  public static final int FAILED = 1;

  /** Exit code: bad arguments or options. */
  public static final int USAGE = 2;

  /** Exit code: confirmation declined, or needed and stdin is closed (use {@code --yes}). */
  public static final int ABORTED = 3;

  /** Exit code: the named row does not exist. */
  public static final int NOT_FOUND = 4;

  /** Environment variable holding the database password. */
  public static final String PASSWORD_ENV = "OUTPOST_DB_PASSWORD";

  /** Environment variable holding the console token. */
  public static final String TOKEN_ENV = "OUTPOST_CONSOLE_TOKEN";

  private OutpostCli() {}

  /** Runs the command line and exits with its exit code. */
  public static void main(String[] args) {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", "dev/outpost/admin/cli-logback.xml");
    }
    System.exit(run(args, System.getenv(), System.in, System.out, System.err));
  }

  /**
   * Runs the command line in this JVM (tests, embedding) without exiting.
   *
   * @param args the arguments
   * @param env the environment ({@value #PASSWORD_ENV}, {@value #TOKEN_ENV})
   * @param in where confirmations are read from
   * @param out where results go
   * @param err where prompts, progress and errors go
   * @return the exit code
   */
  public static int run(
      String[] args, Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    return RootCommand.execute(args, new CliIo(env, in, out, err));
  }
}
