package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.AlertFixtures;
import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19 F3: PostgreSQL text cannot hold NUL (SQLSTATE 22021), so a NUL in any stored text field
 * was a 500 (or, for heartbeats, a batch that never wrote). Every text field is refused at the
 * door, naming the field.
 */
class ControlCharacterInputTest {

  static final String API = "/api/v1/analytics/sessions";
  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();
  static String openId;
  static String alertId;

  @BeforeAll
  static void prepare() {
    openId =
        node.post(API, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()))
            .bodyAsJsonObject()
            .getString("id");
    JsonObject alert = AlertFixtures.geoImpossible(UUID.randomUUID());
    node.sql(AlertFixtures.insertSql(alert));
    alertId = alert.getString("id");
  }

  static Stream<Arguments> startFields() {
    return Stream.of("content_title", "client_name", "device_name", "device_id", "resolution")
        .flatMap(
            f ->
                Stream.of(
                    Arguments.of(f, "a\u0000b"),
                    Arguments.of(f, "a\u0007b"),
                    Arguments.of(f, "\u001b[2J")));
  }

  @ParameterizedTest(name = "start {0} = {1}")
  @MethodSource("startFields")
  void startRefusesControlCharacters(String field, String value) {
    String before = node.snapshot("playback_sessions");
    var r =
        node.post(
            API, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()).put(field, value));
    assertNamesField(r.statusCode(), r.getHeader("Content-Type"), r.bodyAsJsonObject(), field);
    assertEquals(before, node.snapshot("playback_sessions"));
  }

  @Test
  void heartbeatRefusesNulInResolution() {
    var r =
        node.put(
            API + "/" + openId,
            TestNode.INGEST_KEY,
            new JsonObject().put("resolution", "a\u0000b"));
    assertNamesField(
        r.statusCode(), r.getHeader("Content-Type"), r.bodyAsJsonObject(), "resolution");
  }

  @Test
  void tabAndNewlineAreKeptInATitle() {
    var r =
        node.post(
            API,
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()).put("content_title", "Part 1\tPart 2\nend"));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    assertEquals("Part 1\tPart 2\nend", r.bodyAsJsonObject().getString("content_title"));
  }

  @Test
  void dismissRefusesNulInReason() {
    String before = node.snapshot("sharing_alerts");
    var r =
        node.post(
            "/api/v1/analytics/sharing/alerts/" + alertId + "/dismiss",
            TestNode.ADMIN_KEY,
            new JsonObject().put("reason", "ok\u0000"));
    assertNamesField(r.statusCode(), r.getHeader("Content-Type"), r.bodyAsJsonObject(), "reason");
    assertEquals(before, node.snapshot("sharing_alerts"));
  }

  @Test
  void webSocketStartRefusesNul() {
    String before = node.snapshot("playback_sessions");
    try (LiveClient c =
        LiveClient.connect(
            node.clientVertx(), node.port(), "/api/v1/ingest", TestNode.INGEST_KEY)) {
      c.send(
          SessionBodies.start(UUID.randomUUID())
              .put("op", "start")
              .put("ref", "nul")
              .put("device_name", "tv\u0000"));
      JsonObject reply = c.await(m -> "nul".equals(m.getValue("ref")), "the reply");
      assertEquals(400, reply.getInteger("status"), reply.encode());
      assertNamesField(
          400, "application/problem+json", reply.getJsonObject("error"), "device_name");
    }
    assertEquals(before, node.snapshot("playback_sessions"));
  }

  static void assertNamesField(int status, String contentType, JsonObject problem, String field) {
    assertEquals(400, status, String.valueOf(problem));
    assertEquals("application/problem+json", contentType);
    JsonArray errors = problem.getJsonArray("errors");
    assertTrue(
        errors != null
            && errors.stream().anyMatch(e -> field.equals(((JsonObject) e).getString("field"))),
        "names " + field + ": " + problem);
  }
}
