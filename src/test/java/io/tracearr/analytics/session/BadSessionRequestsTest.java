package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each bad request is a 400 naming the field, and the database is unchanged. */
class BadSessionRequestsTest {

  static final String API = "/api/v1/analytics/sessions";
  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();
  static String openId;

  @BeforeAll
  static void prepare() {
    openId =
        node.post(API, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()))
            .bodyAsJsonObject()
            .getString("id");
  }

  static Arguments start(String name, String field, UnaryOperator<JsonObject> edit) {
    return Arguments.of(
        name,
        HttpMethod.POST,
        API,
        edit.apply(SessionBodies.start(UUID.randomUUID())).encode(),
        field);
  }

  static Arguments heartbeat(String name, String field, JsonObject body) {
    return Arguments.of(name, HttpMethod.PUT, API + "/{open}", body.encode(), field);
  }

  static Stream<Arguments> badRequests() {
    String old = Instant.now().minus(Duration.ofDays(8)).toString();
    String future = Instant.now().plus(Duration.ofMinutes(10)).toString();
    return Stream.of(
        Arguments.of("malformed JSON", HttpMethod.POST, API, "{\"user_id\":", "body"),
        Arguments.of("body is an array", HttpMethod.POST, API, "[]", "body"),
        Arguments.of("start without a body", HttpMethod.POST, API, null, "body"),
        Arguments.of("heartbeat without a body", HttpMethod.PUT, API + "/{open}", null, "body"),
        heartbeat(
            "position above the contract's maximum",
            "position_seconds",
            new JsonObject().put("position_seconds", 10_000_001)),
        heartbeat("transcoded a string", "transcoded", new JsonObject().put("transcoded", "no")),
        heartbeat(
            "several fields wrong at once",
            "bandwidth_kbps",
            new JsonObject().put("status", "x").put("bandwidth_kbps", -1)),
        start(
            "user_id missing",
            "user_id",
            b -> {
              b.remove("user_id");
              return b;
            }),
        start("user_id not a uuid", "user_id", b -> b.put("user_id", "user-42")),
        start("user_id a number", "user_id", b -> b.put("user_id", 42)),
        start(
            "content_type missing",
            "content_type",
            b -> {
              b.remove("content_type");
              return b;
            }),
        start("content_type unknown", "content_type", b -> b.put("content_type", "podcast")),
        start("content_id not a uuid", "content_id", b -> b.put("content_id", "tt0111161")),
        start(
            "content_title over 300 chars",
            "content_title",
            b -> b.put("content_title", "x".repeat(301))),
        start(
            "client_name missing",
            "client_name",
            b -> {
              b.remove("client_name");
              return b;
            }),
        start("client_name empty", "client_name", b -> b.put("client_name", "")),
        start(
            "device_name missing",
            "device_name",
            b -> {
              b.remove("device_name");
              return b;
            }),
        start(
            "device_name over 100 chars",
            "device_name",
            b -> b.put("device_name", "d".repeat(101))),
        start(
            "ip_address missing",
            "ip_address",
            b -> {
              b.remove("ip_address");
              return b;
            }),
        start("ip_address a hostname", "ip_address", b -> b.put("ip_address", "example.com")),
        start("ip_address out of range", "ip_address", b -> b.put("ip_address", "256.1.1.1")),
        start("ip_address truncated", "ip_address", b -> b.put("ip_address", "10.0.0")),
        start("ip_address broken IPv6", "ip_address", b -> b.put("ip_address", "2001:db8:::1")),
        start("transcoded a string", "transcoded", b -> b.put("transcoded", "yes")),
        start("bandwidth negative", "bandwidth_kbps", b -> b.put("bandwidth_kbps", -5)),
        start("bandwidth fractional", "bandwidth_kbps", b -> b.put("bandwidth_kbps", 1.5)),
        start("started_at not a date", "started_at", b -> b.put("started_at", "yesterday")),
        start("started_at more than 7 days ago", "started_at", b -> b.put("started_at", old)),
        start(
            "started_at more than 5 minutes ahead", "started_at", b -> b.put("started_at", future)),
        start("id not a uuid", "id", b -> b.put("id", "abc")),
        heartbeat("status unknown", "status", new JsonObject().put("status", "stopped")),
        heartbeat(
            "status ended is not a client status",
            "status",
            new JsonObject().put("status", "ended")),
        heartbeat(
            "position negative", "position_seconds", new JsonObject().put("position_seconds", -1)),
        heartbeat(
            "position a string",
            "position_seconds",
            new JsonObject().put("position_seconds", "10")),
        heartbeat(
            "bytes negative", "bytes_transferred", new JsonObject().put("bytes_transferred", -100)),
        heartbeat(
            "bandwidth a string", "bandwidth_kbps", new JsonObject().put("bandwidth_kbps", "fast")),
        heartbeat(
            "resolution over 20 chars",
            "resolution",
            new JsonObject().put("resolution", "r".repeat(21))),
        heartbeat(
            "ip_address invalid", "ip_address", new JsonObject().put("ip_address", "1.2.3.4.5")),
        Arguments.of("heartbeat id not a uuid", HttpMethod.PUT, API + "/not-a-uuid", "{}", "id"),
        Arguments.of(
            "end with ended_at not a date",
            HttpMethod.DELETE,
            API + "/{open}",
            new JsonObject().put("ended_at", "soon").encode(),
            "ended_at"),
        Arguments.of(
            "end with ended_at before started_at",
            HttpMethod.DELETE,
            API + "/{open}",
            new JsonObject()
                .put("ended_at", Instant.now().minus(Duration.ofDays(1)).toString())
                .encode(),
            "ended_at"),
        Arguments.of(
            "history limit 0",
            HttpMethod.GET,
            API + "/user/" + UUID.randomUUID() + "?limit=0",
            null,
            "limit"),
        Arguments.of(
            "history limit 501",
            HttpMethod.GET,
            API + "/user/" + UUID.randomUUID() + "?limit=501",
            null,
            "limit"),
        Arguments.of(
            "history cursor forged",
            HttpMethod.GET,
            API + "/user/" + UUID.randomUUID() + "?before=zzzz",
            null,
            "before"),
        Arguments.of(
            "active user_id not a uuid",
            HttpMethod.GET,
            API + "/active?user_id=bob",
            null,
            "user_id"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRequests")
  void rejectedWithTheFieldNamedAndNothingWritten(
      String name, HttpMethod method, String path, String body, String field) {
    String sessionsBefore = node.snapshot("playback_sessions");
    String devicesBefore = node.snapshot("user_devices");
    var r =
        node.send(
            method,
            path.replace("{open}", openId),
            TestNode.ADMIN_KEY,
            body == null ? null : Buffer.buffer(body));
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
    assertTrue(errors != null && !errors.isEmpty(), r.bodyAsString());
    boolean named = false;
    for (int i = 0; i < errors.size(); i++) {
      JsonObject e = errors.getJsonObject(i);
      named |= field.equals(e.getString("field"));
      assertFalse(e.getString("message").isBlank());
    }
    assertTrue(named, "names " + field + ": " + r.bodyAsString());
    // heartbeats are buffered before they are written: nothing may be waiting either
    assertEquals(0, node.app().node().metrics().pendingHeartbeats.get(), "nothing buffered");
    assertEquals(sessionsBefore, node.snapshot("playback_sessions"), "sessions unchanged");
    assertEquals(devicesBefore, node.snapshot("user_devices"), "devices unchanged");
  }
}
