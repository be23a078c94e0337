package dev.outpost.admin.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.admin.ConsoleConfig;
import dev.outpost.admin.ConsoleRequest;
import dev.outpost.admin.ConsoleResponse;
import dev.outpost.admin.DeadLetterQuery;
import dev.outpost.admin.internal.Operations.Status;
import dev.outpost.admin.internal.Plans.BulkResult;
import dev.outpost.admin.internal.Plans.DeadLetterPlan;
import dev.outpost.admin.internal.Plans.DelayedPlan;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routing, token and read-only checks, and JSON of the web console. Thread-safe. */
public final class ConsoleApi {

  private static final Logger log = LoggerFactory.getLogger(ConsoleApi.class);

  private static final String JSON = "application/json; charset=utf-8";
  private static final String ASSET_DIR = "/dev/outpost/admin/console/";

  private final ConsoleConfig config;
  private final Operations ops;
  private final Samples samples;

  /** The console's API over {@code dataSource}. */
  public ConsoleApi(ConsoleConfig config, DataSource dataSource, Clock clock) {
    this.config = config;
    this.ops = new Operations(dataSource, config.schema(), clock);
    this.samples = new Samples();
  }

  /** Answers one request. */
  public ConsoleResponse handle(ConsoleRequest request) {
    if (config.token() != null && !tokenMatches(request)) {
      return error(401, "a valid token is required (header X-Outpost-Token or ?token=)");
    }
    try {
      return route(request);
    } catch (IllegalArgumentException e) {
      return error(400, e.getMessage());
    } catch (dev.outpost.outbox.OutpostException e) {
      log.warn(
          "console request {} {} failed: {}", request.method(), request.path(), e.getMessage());
      return error(500, String.valueOf(e.getMessage()));
    } catch (RuntimeException e) {
      log.warn("console request {} {} failed", request.method(), request.path(), e);
      return error(500, String.valueOf(e.getMessage()));
    }
  }

  private ConsoleResponse route(ConsoleRequest r) {
    String path = r.path();
    boolean get = "GET".equals(r.method());
    boolean post = "POST".equals(r.method());
    if (get && (path.equals("/") || path.equals("/index.html"))) {
      return page();
    }
    if (get && path.equals("/api/status")) {
      Status status = ops.status();
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("status", status);
      body.put("history", samples.add(status));
      body.put("allowActions", config.allowActions());
      body.put("schema", config.schema());
      return json(200, body);
    }
    if (get && path.equals("/api/dead-letters")) {
      DeadLetterQuery q = deadLetterQuery(r.query());
      int limit = intParam(r.query(), "limit", 100, 1, 1000);
      long afterId = Long.parseLong(r.query().getOrDefault("afterId", "0"));
      Map<String, Object> body = new LinkedHashMap<>();
      body.put("rows", ops.queries().deadLetters(q, afterId, limit));
      body.put("count", ops.queries().countDeadLetters(q));
      return json(200, body);
    }
    if (get && path.startsWith("/api/dead-letters/")) {
      long id = Long.parseLong(path.substring("/api/dead-letters/".length()));
      return ops.queries()
          .deadLetter(id)
          .map(d -> json(200, d))
          .orElseGet(() -> error(404, "no dead letter with id " + id));
    }
    if (get && path.equals("/api/delayed")) {
      DelayedQuery q = delayedQuery(r.query());
      return json(200, ops.queries().delayed(q, intParam(r.query(), "limit", 100, 1, 1000)));
    }
    if (get && path.equals("/api/audit")) {
      return json(200, ops.audit().latest(intParam(r.query(), "limit", 20, 1, 1000)));
    }
    if (post && path.startsWith("/api/")) {
      return action(r);
    }
    return error(get || post ? 404 : 405, "no such resource: " + r.method() + " " + path);
  }

  private ConsoleResponse action(ConsoleRequest r) {
    if (!config.allowActions()) {
      return error(
          403,
          "the console is read-only; start it with --allow-actions to replay, purge or cancel");
    }
    if (!"1".equals(r.headers().get("x-outpost-console"))) {
      return error(403, "actions need the header X-Outpost-Console: 1");
    }
    JsonNode body;
    try {
      body = Json.mapper().readTree(r.body());
    } catch (IOException e) {
      return error(400, "the body is not JSON: " + e.getMessage());
    }
    if (body == null || !body.isObject()) {
      return error(400, "the body must be a JSON object");
    }
    boolean dryRun = body.path("dryRun").asBoolean(true);
    Integer expect = body.hasNonNull("expect") ? body.get("expect").asInt() : null;
    Map<String, String> filter = new LinkedHashMap<>();
    body.path("filter")
        .fields()
        .forEachRemaining(e -> filter.put(e.getKey(), e.getValue().asText()));
    String operator = config.operator() + (r.remote() == null ? "" : "@" + r.remote());
    switch (r.path()) {
      case "/api/dead-letters/replay", "/api/dead-letters/purge" -> {
        DeadLetterQuery q = deadLetterQuery(filter);
        if (q.equals(DeadLetterQuery.all()) && !body.path("all").asBoolean(false)) {
          return error(400, "no filter given; set a filter or confirm acting on every dead letter");
        }
        DeadLetterPlan plan =
            r.path().endsWith("replay")
                ? ops.planReplay(q, !body.path("onlyMatching").asBoolean(false), config.batchSize())
                : ops.planPurge(q, config.batchSize());
        if (dryRun) {
          return json(200, PlanView.of(plan));
        }
        if (expect == null || expect != plan.total()) {
          return error(
              409,
              "the filter now takes "
                  + plan.total()
                  + " dead letters, not "
                  + expect
                  + "; preview again and confirm that number");
        }
        BulkResult result = ops.execute(plan, 0, Operations.Progress.NONE, operator, "console");
        return json(200, result);
      }
      case "/api/delayed/cancel" -> {
        DelayedQuery q = delayedQuery(filter);
        if (q.isAll() && !body.path("all").asBoolean(false)) {
          return error(400, "no filter given; set a filter or confirm cancelling every one");
        }
        DelayedPlan plan = ops.planCancel(q);
        if (dryRun) {
          Map<String, Object> preview = new LinkedHashMap<>();
          preview.put("action", "cancel-delayed");
          preview.put("filter", plan.filter());
          preview.put("dryRun", true);
          preview.put("total", plan.rows().size());
          preview.put("rows", plan.rows().subList(0, Math.min(100, plan.rows().size())));
          return json(200, preview);
        }
        if (expect == null || expect != plan.rows().size()) {
          return error(
              409,
              "the filter now takes "
                  + plan.rows().size()
                  + " delayed messages, not "
                  + expect
                  + "; preview again and confirm that number");
        }
        return json(
            200,
            ops.cancel(plan, config.batchSize(), 0, Operations.Progress.NONE, operator, "console"));
      }
      default -> {
        return error(404, "no such action: " + r.path());
      }
    }
  }

  private static DeadLetterQuery deadLetterQuery(Map<String, String> p) {
    List<Long> ids = new ArrayList<>();
    List<UUID> messageIds = new ArrayList<>();
    String id = blank(p.get("id"));
    if (id != null) {
      for (String part : id.split("[,\\s]+")) {
        if (part.contains("-")) {
          messageIds.add(UUID.fromString(part));
        } else if (!part.isEmpty()) {
          ids.add(Long.parseLong(part));
        }
      }
    }
    return new DeadLetterQuery(
        ids,
        messageIds,
        p.get("topic"),
        p.get("key"),
        instant(p.get("failedFrom")),
        instant(p.get("failedBefore")),
        p.get("error"));
  }

  private static DelayedQuery delayedQuery(Map<String, String> p) {
    List<Long> ids = new ArrayList<>();
    String id = blank(p.get("id"));
    if (id != null) {
      for (String part : id.split("[,\\s]+")) {
        if (!part.isEmpty()) {
          ids.add(Long.parseLong(part));
        }
      }
    }
    return new DelayedQuery(ids, p.get("topic"), p.get("cancelKey"), instant(p.get("dueBefore")));
  }

  private static Instant instant(String text) {
    String t = blank(text);
    if (t == null) {
      return null;
    }
    try {
      return Instant.parse(t);
    } catch (java.time.format.DateTimeParseException e) {
      throw new IllegalArgumentException("'" + t + "' is not an ISO-8601 instant", e);
    }
  }

  private static String blank(String s) {
    return s == null || s.isBlank() ? null : s.trim();
  }

  private static int intParam(Map<String, String> q, String name, int dflt, int min, int max) {
    String v = blank(q.get(name));
    int value = v == null ? dflt : Integer.parseInt(v);
    if (value < min || value > max) {
      throw new IllegalArgumentException(name + " is " + value + "; allowed " + min + ".." + max);
    }
    return value;
  }

  private boolean tokenMatches(ConsoleRequest r) {
    String given = r.headers().get("x-outpost-token");
    if (given == null) {
      given = r.query().get("token");
    }
    return given != null
        && MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8),
            config.token().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The page with its script and style inlined, so loading it is one request: with a token, only
   * that request carries it in the URL; the script sends it as a header.
   */
  private static ConsoleResponse page() {
    String html = asset("index.html");
    html =
        html.replace(
                "<link rel=\"stylesheet\" href=\"console.css\">",
                "<style>\n" + asset("console.css") + "</style>")
            .replace(
                "<script src=\"console.js\"></script>",
                "<script>\n" + asset("console.js") + "</script>");
    return new ConsoleResponse(
        200, "text/html; charset=utf-8", html.getBytes(StandardCharsets.UTF_8));
  }

  private static String asset(String name) {
    try (InputStream in = ConsoleApi.class.getResourceAsStream(ASSET_DIR + name)) {
      if (in == null) {
        throw new IllegalStateException("the console's asset " + name + " is missing");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static ConsoleResponse json(int status, Object body) {
    return new ConsoleResponse(status, JSON, Json.compact(body).getBytes(StandardCharsets.UTF_8));
  }

  private static ConsoleResponse error(int status, String message) {
    return json(status, Map.of("error", message));
  }
}
