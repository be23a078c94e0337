package dev.outpost.admin.internal.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** The streams and environment of one CLI run. */
public final class CliIo {

  private final Map<String, String> env;
  private final BufferedReader in;
  private final PrintStream out;
  private final PrintStream err;

  /** Streams of one run. */
  public CliIo(Map<String, String> env, InputStream in, PrintStream out, PrintStream err) {
    this.env = Map.copyOf(env);
    this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    this.out = out;
    this.err = err;
  }

  /** An environment variable, or null. */
  public String env(String name) {
    return env.get(name);
  }

  /** Results. */
  public PrintStream out() {
    return out;
  }

  /** Prompts, progress, errors. */
  public PrintStream err() {
    return err;
  }

  /** One line of stdin, or null at its end. */
  public String readLine() {
    try {
      return in.readLine();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
