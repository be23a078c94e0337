package dev.outpost.admin.internal.cli;

import dev.outpost.admin.ConsoleConfig;
import dev.outpost.admin.OutpostCli;
import dev.outpost.admin.OutpostConsole;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;

/** {@code outpost console}: serves the web console until the process is stopped. */
@Command(
    name = "console",
    mixinStandardHelpOptions = true,
    description = {
      "Serve the web console. Read-only unless --allow-actions; binds to 127.0.0.1 unless",
      "--host names another address, which needs a token (--token or " + OutpostCli.TOKEN_ENV + ")."
    })
final class ConsoleCommand implements Callable<Integer> {

  @ParentCommand RootCommand root;

  @Option(names = "--port", description = "Port (default: 8081; 0 picks a free one)")
  int port = ConsoleConfig.DEFAULT_PORT;

  @Option(names = "--host", description = "Address to bind (default: 127.0.0.1)")
  String host = ConsoleConfig.DEFAULT_HOST;

  @Option(names = "--allow-actions", description = "Allow replay, purge and cancel")
  boolean allowActions;

  @Option(
      names = "--token",
      description = "Token every request must carry (default: $" + OutpostCli.TOKEN_ENV + ")")
  String token;

  @Override
  public Integer call() throws InterruptedException {
    String effectiveToken = token != null ? token : root.io.env(OutpostCli.TOKEN_ENV);
    OutpostConsole console =
        OutpostConsole.builder()
            .dataSource(root.dataSource(4))
            .schema(root.schema)
            .host(host)
            .port(port)
            .allowActions(allowActions)
            .token(effectiveToken)
            .operator(root.operator)
            .build();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              console.close();
              stopped.countDown();
            },
            "outpost-console-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    console.start();
    root.io
        .err()
        .println(
            "outpost console on http://"
                + console.address().getHostString()
                + ":"
                + console.address().getPort()
                + "/ ("
                + (allowActions ? "actions allowed" : "read-only")
                + (effectiveToken != null ? ", token required" : "")
                + "); stop with Ctrl-C");
    stopped.await();
    return OutpostCli.OK;
  }
}
