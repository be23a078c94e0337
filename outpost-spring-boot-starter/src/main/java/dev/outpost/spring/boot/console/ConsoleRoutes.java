package dev.outpost.spring.boot.console;

import dev.outpost.admin.ConsoleRequest;
import dev.outpost.admin.ConsoleResponse;
import dev.outpost.admin.OutpostConsole;
import dev.outpost.spring.boot.OutpostProperties;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/** Adapts Spring MVC requests to {@link OutpostConsole#handle(ConsoleRequest)}. */
final class ConsoleRoutes {

  private ConsoleRoutes() {}

  static RouterFunction<ServerResponse> create(
      OutpostConsole console, OutpostProperties.Console settings) {
    String base = settings.getPath().endsWith("/") ? settings.getPath() : settings.getPath() + "/";
    boolean tokenRequired = settings.getToken() != null && !settings.getToken().isBlank();
    String root = base.substring(0, base.length() - 1);
    return RouterFunctions.route(
            RequestPredicates.path(root),
            // The page links relatively: it must be served under a path ending in "/".
            request -> ServerResponse.status(HttpStatus.FOUND).header("Location", base).build())
        .andRoute(
            RequestPredicates.path(base + "**"),
            request -> handle(console, request, base, tokenRequired));
  }

  private static ServerResponse handle(
      OutpostConsole console, ServerRequest request, String base, boolean tokenRequired)
      throws Exception {
    if (!tokenRequired && !fromLoopback(request)) {
      return ServerResponse.status(HttpStatus.FORBIDDEN)
          .contentType(MediaType.TEXT_PLAIN)
          .body(
              "the Outpost console answers only loopback clients unless outpost.console.token is"
                  + " set\n");
    }
    String path = request.path().substring(base.length() - 1);
    Map<String, String> query = new LinkedHashMap<>();
    request.params().forEach((name, values) -> query.put(name, first(values)));
    Map<String, String> headers = new LinkedHashMap<>();
    request
        .headers()
        .asHttpHeaders()
        .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), first(values)));
    byte[] body = "POST".equals(request.method().name()) ? request.body(byte[].class) : new byte[0];
    ConsoleResponse response =
        console.handle(
            new ConsoleRequest(
                request.method().name(),
                path.isEmpty() ? "/" : path,
                query,
                headers,
                body,
                request.remoteAddress().map(InetSocketAddress::toString).orElse(null)));
    return ServerResponse.status(response.status())
        .contentType(MediaType.parseMediaType(response.contentType()))
        .body(response.body());
  }

  private static boolean fromLoopback(ServerRequest request) {
    return request
        .remoteAddress()
        .map(a -> a.getAddress() != null && a.getAddress().isLoopbackAddress())
        .orElse(false);
  }

  private static String first(List<String> values) {
    return values == null || values.isEmpty() ? "" : values.get(0);
  }
}
