package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.tracearr.analytics.testing.AlertFixtures;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.RawHttp;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19 "done when": generated hostile requests over every operation of {@code openapi.yaml}
 * (enumerated from the contract, so a new route is fuzzed without touching this test). Each request
 * is built to be refused — bad token, wrong content type, broken JSON, a non-object body, a field
 * of the wrong type, NUL and control characters, huge numbers, bad percent-encoding, bad path and
 * query values, headers near the size limit — and the test asserts: never a 5xx, every 4xx is
 * problem+json with its request id, and the tables are byte for byte what they were. The RNG is
 * seeded ({@code -Dfuzz.seed=...} replays a run); a failure prints seed and request.
 */
class HostileRequestsFuzzTest {

  static final int REQUESTS = Integer.getInteger("fuzz.requests", 2400);
  static final long SEED = Long.getLong("fuzz.seed", System.nanoTime());

  /**
   * Written by timers, not by requests (the roll-ups, once-per-cluster job slots, Flyway's
   * history).
   */
  static final List<String> TIMER_TABLES =
      List.of(
          "job_runs",
          "daily_stats",
          "daily_content_stats",
          "hourly_concurrency",
          "content_window_totals",
          "content_user_last",
          "usage_day_value",
          "usage_day_user",
          "rollup_state",
          "notification_sweep",
          "flyway_schema_history",
          // a refused admin request is itself recorded (issue 15): checked below to hold only
          // refusals
          "audit_log");

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("rollup_interval_seconds", 86_400)
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 86_400))));

  static final TestNode node = nodes.node();

  record Param(String name, String in, JsonObject schema, boolean required) {}

  record Operation(
      String id, String method, String path, List<Param> params, JsonObject bodySchema) {
    boolean writes() {
      return !method.equals("GET");
    }
  }

  record Request(
      String method, String target, Map<String, String> headers, byte[] body, String kind) {
    String describe() {
      String b = body == null ? "" : new String(body, StandardCharsets.UTF_8);
      if (b.length() > 300) b = b.substring(0, 300) + "...";
      Map<String, String> shown = new LinkedHashMap<>();
      headers.forEach(
          (k, v) ->
              shown.put(k, v.length() > 80 ? v.substring(0, 80) + "...(" + v.length() + ")" : v));
      return kind
          + ": "
          + method
          + " "
          + target
          + " "
          + shown
          + " body="
          + b.replace("\u0000", "\\u0000");
    }
  }

  @Test
  void noHostileRequestGetsA5xxOrChangesTheDatabase() {
    System.out.println(
        "HostileRequestsFuzzTest seed="
            + SEED
            + " requests="
            + REQUESTS
            + " (replay with -Dfuzz.seed="
            + SEED
            + ")");
    String session =
        node.post(
                "/api/v1/analytics/sessions",
                TestNode.INGEST_KEY,
                SessionBodies.start(UUID.randomUUID()))
            .bodyAsJsonObject()
            .getString("id");
    JsonObject alert = AlertFixtures.geoImpossible(UUID.randomUUID());
    node.sql(AlertFixtures.insertSql(alert));
    List<Operation> operations = contract();
    assertTrue(operations.size() >= 14, "operations from the contract: " + operations.size());
    System.out.println(
        "HostileRequestsFuzzTest operations: " + operations.stream().map(Operation::id).toList());

    Map<String, String> before = checksums();
    Random rnd = new Random(SEED);
    Map<String, Integer> statuses = new java.util.TreeMap<>();
    for (int i = 0; i < REQUESTS; i++) {
      Operation op = operations.get(i % operations.size());
      Request req = hostile(rnd, op, session, alert.getString("id"));
      RawHttp.Reply r = send(req);
      statuses.merge(op.id() + " " + r.status(), 1, Integer::sum);
      String where =
          "seed="
              + SEED
              + " #"
              + i
              + " "
              + req.describe()
              + "\n  -> "
              + r.status()
              + " "
              + r.headers()
              + " "
              + r.body();
      if (r.status() < 0 || r.status() >= 500) fail("no answer or a 5xx: " + where);
      if (r.status() >= 400) {
        assertEquals("application/problem+json", r.header("Content-Type"), where);
        JsonObject problem;
        try {
          problem = r.json();
        } catch (RuntimeException e) {
          throw new AssertionError("not JSON: " + where, e);
        }
        assertEquals(r.status(), problem.getInteger("status"), where);
        assertTrue(problem.getString("instance", "").startsWith("urn:request:"), where);
      } else if (op.writes() && !op.id().equals("detectSharing")) {
        fail("a hostile write was accepted: " + where);
      }
    }
    System.out.println("HostileRequestsFuzzTest answers: " + statuses);
    assertEquals(before, checksums(), "seed=" + SEED + ": the tables changed");
    assertEquals(
        0,
        node.count("SELECT count(*) FROM audit_log WHERE result <> 'forbidden'"),
        "seed=" + SEED + ": only refusals may be audited for hostile requests");
  }

  // ---- the contract
  // ------------------------------------------------------------------------------------

  static List<Operation> contract() {
    JsonObject c;
    try (InputStream in =
        HostileRequestsFuzzTest.class.getClassLoader().getResourceAsStream("openapi.yaml")) {
      c = new JsonObject(io.vertx.core.json.Json.encode(new org.yaml.snakeyaml.Yaml().load(in)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    JsonObject schemas = c.getJsonObject("components").getJsonObject("schemas");
    List<Operation> ops = new ArrayList<>();
    JsonObject paths = c.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        JsonObject o = item.getJsonObject(method);
        List<Param> params = new ArrayList<>();
        for (Object p : o.getJsonArray("parameters", new JsonArray())) {
          JsonObject pj = (JsonObject) p;
          params.add(
              new Param(
                  pj.getString("name"),
                  pj.getString("in"),
                  pj.getJsonObject("schema"),
                  pj.getBoolean("required", false)));
        }
        JsonObject body = null;
        JsonObject rb = o.getJsonObject("requestBody");
        if (rb != null) {
          JsonObject content = rb.getJsonObject("content");
          JsonObject media =
              content.getJsonObject(
                  "application/json",
                  content.getJsonObject(content.fieldNames().iterator().next()));
          JsonObject schema = media.getJsonObject("schema", new JsonObject());
          String ref = schema.getString("$ref");
          body =
              ref == null ? schema : schemas.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1));
          if (body.getJsonObject("properties") == null
              || body.getJsonObject("properties").isEmpty()) {
            body =
                body.copy()
                    .put(
                        "properties",
                        new JsonObject().put("name", new JsonObject().put("type", "string")));
          }
        }
        ops.add(
            new Operation(
                o.getString("operationId"), method.toUpperCase(), "/api/v1" + path, params, body));
      }
    }
    return ops;
  }

  // ---- hostile requests
  // ----------------------------------------------------------------------------------

  static final String[] KINDS = {
    "token",
    "content-type",
    "broken-json",
    "not-an-object",
    "wrong-type",
    "control-chars",
    "huge-number",
    "bad-path",
    "bad-query",
    "huge-header"
  };
  static final String[] CONTROL = {
    "\u0000", "a\u0000b", "\u0001", "\u001b[31m", "\r", "x\u007fy", "\u0008", "\ud800", "\udfff"
  };
  static final Object[] HUGE = {
    1e308,
    -1e308,
    new java.math.BigInteger("9".repeat(40)),
    new java.math.BigDecimal("1e400"),
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    -1,
    2147483648L,
    1.5,
    Double.MIN_VALUE
  };
  static final String[] BROKEN = {
    "{",
    "{\"a\":}",
    "{\"a\" 1}",
    "[",
    "nul",
    "{\"user_id\":\"x\"",
    "\u0000",
    "{}}",
    "{\"a\":1,}",
    "'single'",
    "{\"a\":\"\\u00\"}",
    "[".repeat(5000),
    "{\"a\":" + "[".repeat(3000),
    "\"unterminated"
  };
  static final String[] NON_OBJECT = {
    "null", " null", "0", "-1", "1e999", "\"text\"", "true", "false", "[]", "[{}]"
  };
  static final String[] CONTENT_TYPES = {
    null,
    "text/plain",
    "application/xml",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "application/json-patch+json",
    "application/jsonp",
    "json",
    "*/*",
    "application/problem+json",
    "text/json; charset=utf-8"
  };
  static final String[] BAD_PATH_VALUES = {
    "%zz",
    "%",
    "%e0%a4%a",
    "%00",
    "not-a-uuid",
    "00000000-0000-0000-0000-00000000000g",
    "..%2f..%2fetc%2fpasswd",
    "x".repeat(3000),
    "%ff%fe",
    "{id}",
    "%2e%2e",
    UUID.randomUUID() + "%00"
  };
  static final String[] BAD_QUERY_VALUES = {
    "%zz",
    "%",
    "%00",
    "-1",
    "0",
    "99999999999999999999",
    "1e3",
    "abc",
    "%ff",
    "2026-13-45",
    "2026-02-30",
    "9999-12-31",
    "x".repeat(500),
    "null",
    "[]",
    "%e2%82",
    "%2500"
  };

  static Request hostile(Random rnd, Operation op, String session, String alert) {
    String kind = KINDS[rnd.nextInt(KINDS.length)];
    if (op.bodySchema() == null
        && (kind.equals("wrong-type")
            || kind.equals("control-chars")
            || kind.equals("huge-number"))) {
      kind = rnd.nextBoolean() ? "bad-query" : "broken-json";
    }
    if (kind.equals("bad-query") && op.params().stream().noneMatch(p -> p.in().equals("query")))
      kind = "bad-path";
    if (kind.equals("bad-path") && op.params().stream().noneMatch(p -> p.in().equals("path"))) {
      kind = op.method().equals("GET") ? "token" : "not-an-object";
    }
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Host", "localhost");
    headers.put(
        "Authorization",
        "Bearer "
            + (op.id().equals("startSession") || op.id().endsWith("Session")
                ? TestNode.INGEST_KEY
                : TestNode.ADMIN_KEY));
    String target = target(op, session, alert, null, null);
    JsonObject body = validBody(op);
    byte[] raw = body == null ? null : body.encode().getBytes(StandardCharsets.UTF_8);
    String contentType = raw == null ? null : "application/json";
    switch (kind) {
      case "token" -> {
        String[] tokens = {
          "",
          "x",
          "Bearer",
          "a.b.c",
          "eyJhbGciOiJub25lIn0.eyJyb2xlcyI6WyJhZG1pbiJdfQ.",
          TestNode.ADMIN_KEY + " ",
          TestNode.ADMIN_KEY.toUpperCase(),
          "t".repeat(6000),
          TestNode.ADMIN_KEY.substring(1),
          "%00"
        };
        String t = tokens[rnd.nextInt(tokens.length)];
        if (rnd.nextInt(4) == 0) headers.put("Authorization", "Basic " + t);
        else if (rnd.nextInt(4) == 0) headers.remove("Authorization");
        else headers.put("Authorization", "Bearer " + t);
        if (headers.containsKey("Authorization") && headers.get("Authorization").endsWith(" "))
          headers.put("Authorization", "Bearer wrong" + rnd.nextInt());
        if (raw == null && op.writes()) {
          raw = "{}".getBytes(StandardCharsets.UTF_8);
          contentType = "application/json";
        }
      }
      case "content-type" -> {
        if (raw == null) raw = "{}".getBytes(StandardCharsets.UTF_8);
        contentType = CONTENT_TYPES[rnd.nextInt(CONTENT_TYPES.length)];
      }
      case "broken-json" -> {
        String b = BROKEN[rnd.nextInt(BROKEN.length)];
        raw =
            rnd.nextInt(5) == 0
                ? new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}
                : b.getBytes(StandardCharsets.UTF_8);
        contentType = rnd.nextBoolean() ? "application/json" : "Application/JSON; charset=utf-8";
      }
      case "not-an-object" -> {
        raw = NON_OBJECT[rnd.nextInt(NON_OBJECT.length)].getBytes(StandardCharsets.UTF_8);
        contentType = "application/json";
      }
      case "wrong-type", "control-chars", "huge-number" -> {
        JsonObject props = op.bodySchema().getJsonObject("properties");
        List<String> fields = new ArrayList<>(props.fieldNames());
        String field = fields.get(rnd.nextInt(fields.size()));
        String type = typeOf(props.getJsonObject(field));
        Object value;
        if (kind.equals("control-chars") || (kind.equals("huge-number") && type.equals("string"))) {
          value =
              rnd.nextBoolean()
                  ? CONTROL[rnd.nextInt(CONTROL.length)]
                  : "ok" + CONTROL[rnd.nextInt(CONTROL.length)] + "ok";
          if (!type.equals("string")) value = new JsonArray().add(value);
        } else if (kind.equals("huge-number")) {
          value = HUGE[rnd.nextInt(HUGE.length)];
          if (type.equals("number")
              && value instanceof Number n
              && n.doubleValue() >= 0
              && n.doubleValue() <= 1e7) value = -5;
          if (type.equals("boolean")) value = 1;
          // an in-range integer for a field without a maximum (bytes_transferred) is valid, not
          // hostile
          if (value instanceof Long l
              && l >= 0
              && l <= props.getJsonObject(field).getLong("maximum", Long.MAX_VALUE / 2)) value = -1;
        } else {
          Object[] wrong = {
            42, 1.5, true, "text", new JsonObject().put("a", 1), new JsonArray().add(1)
          };
          do {
            value = wrong[rnd.nextInt(wrong.length)];
          } while (sameType(type, value, props.getJsonObject(field)));
        }
        body = validBody(op);
        body.put(field, value);
        String encoded =
            value instanceof java.math.BigDecimal bd
                ? body.put(field, 0)
                    .encode()
                    .replace("\"" + field + "\":0", "\"" + field + "\":" + bd.toString())
                : body.encode();
        raw = escapeSurrogates(encoded).getBytes(StandardCharsets.UTF_8);
        contentType = "application/json";
      }
      case "bad-path" ->
          target =
              target(
                  op, session, alert, BAD_PATH_VALUES[rnd.nextInt(BAD_PATH_VALUES.length)], null);
      case "bad-query" -> {
        List<Param> query = op.params().stream().filter(p -> p.in().equals("query")).toList();
        Param p = query.get(rnd.nextInt(query.size()));
        String bad = BAD_QUERY_VALUES[rnd.nextInt(BAD_QUERY_VALUES.length)];
        if (!rejects(p, bad)) bad = "%zz";
        target = target(op, session, alert, null, p.name() + "=" + bad);
      }
      case "huge-header" -> {
        headers.put("X-Padding", "p".repeat(6000 + rnd.nextInt(1000)));
        // a request with only a huge header is a valid read; give a write something to refuse as
        // well
        if (op.writes()) {
          raw = NON_OBJECT[rnd.nextInt(NON_OBJECT.length)].getBytes(StandardCharsets.UTF_8);
          contentType = "application/json";
        }
      }
      default -> throw new IllegalStateException(kind);
    }
    if (contentType != null) headers.put("Content-Type", contentType);
    headers.put("Content-Length", String.valueOf(raw == null ? 0 : raw.length));
    return new Request(op.method(), target, headers, raw, kind);
  }

  /** A lone surrogate has no UTF-8 form: it is sent as the JSON escape a client would write. */
  static String escapeSurrogates(String json) {
    StringBuilder sb = new StringBuilder(json.length());
    for (char c : json.toCharArray()) {
      if (Character.isSurrogate(c)) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.toString();
  }

  /** Whether the parameter's schema refuses this raw query value (so the request stays hostile). */
  static boolean rejects(Param p, String v) {
    String type = typeOf(p.schema());
    if (v.contains("%"))
      return !v.equals("%2500")
          || !type.equals("string")
          || p.schema().containsKey("enum")
          || p.schema().containsKey("format");
    if (p.schema().containsKey("enum")) return !p.schema().getJsonArray("enum").contains(v);
    if ("uuid".equals(p.schema().getString("format"))) return true;
    if ("date".equals(p.schema().getString("format")))
      return !v.matches("\\d{4}-\\d{2}-\\d{2}")
          || v.startsWith("2026-13")
          || v.endsWith("-30")
          || v.startsWith("9999");
    if (type.equals("integer")) {
      try {
        long n = Long.parseLong(v);
        return n < p.schema().getLong("minimum", Long.MIN_VALUE)
            || n > p.schema().getLong("maximum", Long.MAX_VALUE);
      } catch (NumberFormatException e) {
        return true;
      }
    }
    if (p.name().equals("before")) return true;
    return false;
  }

  static String typeOf(JsonObject schema) {
    Object t = schema.getValue("type");
    return t instanceof JsonArray a ? a.getString(0) : String.valueOf(t);
  }

  static boolean sameType(String type, Object value, JsonObject schema) {
    return switch (type) {
      case "string" ->
          value instanceof String && !schema.containsKey("format") && !schema.containsKey("enum");
      case "integer" -> value instanceof Integer;
      case "number" -> value instanceof Number;
      case "boolean" -> value instanceof Boolean;
      default -> false;
    };
  }

  static JsonObject validBody(Operation op) {
    return switch (op.id()) {
      case "startSession" -> SessionBodies.start(UUID.randomUUID());
      case "heartbeatSession" ->
          new JsonObject().put("status", "playing").put("position_seconds", 10);
      case "endSession" -> new JsonObject();
      case "dismissAlert" -> new JsonObject().put("reason", "fuzz");
      // operations added later: an empty object, which the mutations below make wrong in one more
      // way
      default -> op.bodySchema() == null ? null : new JsonObject();
    };
  }

  /**
   * The operation's target with valid parameters, except {@code badPath} for every path parameter
   * and {@code badQuery} added.
   */
  static String target(
      Operation op, String session, String alert, String badPath, String badQuery) {
    String path = op.path();
    List<String> query = new ArrayList<>();
    for (Param p : op.params()) {
      if (p.in().equals("path")) {
        String v =
            badPath != null
                ? badPath
                : p.name().equals("userId")
                    ? UUID.randomUUID().toString()
                    : op.path().contains("/alerts/") ? alert : session;
        path = path.replace("{" + p.name() + "}", v);
      } else if (p.in().equals("query") && p.required()) {
        if (badQuery == null || !badQuery.startsWith(p.name() + "="))
          query.add(p.name() + "=2026-01-01");
      }
    }
    if (badQuery != null) query.add(badQuery);
    return query.isEmpty() ? path : path + "?" + String.join("&", query);
  }

  static RawHttp.Reply send(Request req) {
    StringBuilder head =
        new StringBuilder(req.method()).append(' ').append(req.target()).append(" HTTP/1.1");
    req.headers().forEach((k, v) -> head.append("\r\n").append(k).append(": ").append(v));
    return RawHttp.exchange(node.port(), head.toString(), req.body());
  }

  // ---- the database
  // ------------------------------------------------------------------------------------

  static Map<String, String> checksums() {
    Map<String, String> out = new LinkedHashMap<>();
    try (Connection c = TestDatabase.connect(node.database());
        Statement st = c.createStatement()) {
      List<String> tables = new ArrayList<>();
      try (ResultSet rs =
          st.executeQuery(
              "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
                  + " AND table_type = 'BASE TABLE' ORDER BY 1")) {
        while (rs.next()) if (!TIMER_TABLES.contains(rs.getString(1))) tables.add(rs.getString(1));
      }
      for (String table : tables) {
        try (ResultSet rs =
            st.executeQuery(
                "SELECT count(*) || ':' || coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '-') FROM "
                    + table
                    + " t")) {
          rs.next();
          out.put(table, rs.getString(1));
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    return out;
  }
}
