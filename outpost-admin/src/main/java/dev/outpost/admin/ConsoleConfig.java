package dev.outpost.admin;

/**
 * Settings of an {@link OutpostConsole}. Immutable; built by {@link OutpostConsole.Builder}.
 *
 * @param schema schema of Outpost's tables
 * @param host address the console's own server binds to
 * @param port port of the console's own server (0: any free port)
 * @param allowActions whether replay, purge and cancel are allowed (otherwise read-only)
 * @param token token every request must carry, or null (only allowed on a loopback address)
 * @param operator name written into the audit table for actions
 * @param batchSize rows per transaction of a bulk action
 */
public record ConsoleConfig(
    String schema,
    String host,
    int port,
    boolean allowActions,
    String token,
    String operator,
    int batchSize) {

  /** Default {@link #host()}: loopback only. */
  public static final String DEFAULT_HOST = "127.0.0.1";

  /** Default {@link #port()}. */
  public static final int DEFAULT_PORT = 8081;

  /** Default {@link #batchSize()}. */
  public static final int DEFAULT_BATCH_SIZE = 500;

  /** Default {@link #operator()}. */
  public static final String DEFAULT_OPERATOR = "console";

  @Override
  public String toString() {
    return "ConsoleConfig[schema="
        + schema
        + ", host="
        + host
        + ", port="
        + port
        + ", allowActions="
        + allowActions
        + ", token="
        + (token == null ? "none" : "****")
        + ", operator="
        + operator
        + ", batchSize="
        + batchSize
        + "]";
  }
}
