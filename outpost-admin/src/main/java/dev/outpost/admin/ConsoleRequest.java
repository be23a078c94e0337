package dev.outpost.admin;

import java.util.Map;

/**
 * One HTTP request to the console, independent of the server it is mounted in.
 *
 * @param method HTTP method
 * @param path path below the console's mount point, starting with {@code /}
 * @param query query parameters (first value of each)
 * @param headers request headers, names in lower case (first value of each)
 * @param body request body (empty for none)
 * @param remote the client's address, for the audit row (may be null)
 */
public record ConsoleRequest(
    String method,
    String path,
    Map<String, String> query,
    Map<String, String> headers,
    byte[] body,
    String remote) {

  /** Copies the maps; null means empty. */
  public ConsoleRequest {
    query = query == null ? Map.of() : Map.copyOf(query);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    body = body == null ? new byte[0] : body;
  }
}
