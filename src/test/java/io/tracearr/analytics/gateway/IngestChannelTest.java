package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The WebSocket ingest door gives the same answers, rows and events as the REST door. */
class IngestChannelTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject().put("sharing_detection", new JsonObject().put("enabled", false)))
              // 600 starts in flight at once are about the door's pipelining, not the pool's
              // overload guard: room for
              // all of them to wait, however slow a shared CI machine makes each one (the 256-deep
              // queue failing fast
              // is the production default, tested by PostgresOutageIT)
              .put(
                  "database",
                  new JsonObject().put("max_wait_queue", 2000).put("connect_timeout_ms", 60_000)));

  static final TestNode node = nodes.node();

  @BeforeAll
  static void prepare() {
    // the door is judged on its own: 600 starts of distinct users would also queue 600 detector
    // judgements
    // against the same pool, and its fail-fast 503s would blur what this class checks
  }

  private static LiveClient ingest(String token) {
    return LiveClient.connect(node.clientVertx(), node.port(), "/api/v1/ingest", token);
  }

  private static JsonObject reply(LiveClient c, String ref) {
    return c.await(m -> ref.equals(m.getValue("ref")), "the reply to " + ref);
  }

  private static JsonObject op(String op, String ref) {
    return new JsonObject().put("op", op).put("ref", ref);
  }

  /** What a session row says, without what differs between two sessions (ids, times). */
  private static String row(String id) {
    return TestNode.await(
            node.app()
                .node()
                .pool()
                .preparedQuery(
                    """
        SELECT content_type, content_title, client_name, device_name, host(ip_address) AS ip, transcoded, resolution,
               bandwidth_kbps, position_seconds, status, ended_reason, ended_at IS NOT NULL AS ended
        FROM playback_sessions WHERE id = $1""")
                .execute(io.vertx.sqlclient.Tuple.of(UUID.fromString(id))))
        .iterator()
        .next()
        .toJson()
        .encode();
  }

  @Test
  void startHeartbeatEndOverOneSocketMatchTheRestDoor() {
    UUID user = UUID.randomUUID();
    JsonObject body = SessionBodies.start(user, "tv-1", "90.80.10.5");
    JsonObject heartbeat =
        new JsonObject()
            .put("position_seconds", 120)
            .put("status", "paused")
            .put("bandwidth_kbps", 5000);

    try (LiveClient live =
            LiveClient.connect(
                node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY);
        LiveClient ws = ingest(TestNode.INGEST_KEY)) {
      live.await("snapshot");

      // through the WebSocket
      ws.send(body.copy().put("op", "start").put("ref", "s1"));
      JsonObject started = reply(ws, "s1");
      assertEquals(201, started.getInteger("status"));
      assertNull(started.getValue("error"));
      String viaSocket = started.getJsonObject("session").getString("id");
      assertEquals(user.toString(), started.getJsonObject("session").getString("user_id"));
      live.await("session.started", d -> viaSocket.equals(d.getString("id")));

      ws.send(heartbeat.copy().put("op", "heartbeat").put("ref", "h1").put("id", viaSocket));
      JsonObject beat = reply(ws, "h1");
      assertEquals(204, beat.getInteger("status"));
      assertNull(beat.getValue("session"));
      assertNull(beat.getValue("error"));
      live.await(
          "session.updated",
          d -> viaSocket.equals(d.getString("id")) && "paused".equals(d.getString("status")));

      ws.send(op("end", "e1").put("id", viaSocket));
      JsonObject ended = reply(ws, "e1");
      assertEquals(204, ended.getInteger("status"));
      assertEquals("ended", ended.getJsonObject("session").getString("status"));
      live.await("session.ended", d -> viaSocket.equals(d.getString("id")));

      // the same through REST
      var rest = node.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, body);
      assertEquals(201, rest.statusCode());
      String viaRest = rest.bodyAsJsonObject().getString("id");
      live.await("session.started", d -> viaRest.equals(d.getString("id")));
      assertEquals(
          204,
          node.put("/api/v1/analytics/sessions/" + viaRest, TestNode.INGEST_KEY, heartbeat)
              .statusCode());
      live.await(
          "session.updated",
          d -> viaRest.equals(d.getString("id")) && "paused".equals(d.getString("status")));
      assertEquals(
          204,
          node.delete("/api/v1/analytics/sessions/" + viaRest, TestNode.INGEST_KEY, null)
              .statusCode());
      live.await("session.ended", d -> viaRest.equals(d.getString("id")));

      assertEquals(row(viaRest), row(viaSocket));
      assertTrue(row(viaSocket).contains("\"position_seconds\":120"), row(viaSocket));
      assertEquals(eventTypes(live, viaRest), eventTypes(live, viaSocket));
    }
  }

  private static List<String> eventTypes(LiveClient live, String id) {
    return live.received().stream()
        .filter(
            f ->
                f.getJsonObject("data").getString("id") != null
                    && id.equals(f.getJsonObject("data").getString("id")))
        .map(f -> f.getString("type"))
        .toList();
  }

  @Test
  void aRetriedStartWithTheSameIdAnswers200LikeRest() {
    try (LiveClient ws = ingest(TestNode.ADMIN_KEY)) {
      String id = UUID.randomUUID().toString();
      JsonObject start = SessionBodies.start(UUID.randomUUID()).put("id", id).put("op", "start");
      ws.send(start.copy().put("ref", 1));
      assertEquals(
          201,
          ws.await(m -> Integer.valueOf(1).equals(m.getValue("ref")), "first")
              .getInteger("status"));
      ws.send(start.copy().put("ref", 2));
      JsonObject retry = ws.await(m -> Integer.valueOf(2).equals(m.getValue("ref")), "retry");
      assertEquals(200, retry.getInteger("status"));
      assertEquals(id, retry.getJsonObject("session").getString("id"));
      assertEquals(1, node.count("SELECT count(*) FROM playback_sessions WHERE id = '" + id + "'"));
    }
  }

  @Test
  void badMessagesGetErrorRepliesAndTheSocketStaysUsable() {
    String before = node.snapshot("playback_sessions");
    try (LiveClient ws = ingest(TestNode.INGEST_KEY)) {
      ws.sendText("not json at all");
      JsonObject notJson = ws.next();
      assertNull(notJson.getValue("ref"));
      assertEquals(400, notJson.getInteger("status"));
      assertEquals(
          "message",
          notJson
              .getJsonObject("error")
              .getJsonArray("errors")
              .getJsonObject(0)
              .getString("field"));
      assertNull(notJson.getValue("session"));

      ws.send(op("dance", "a"));
      assertEquals("op", field(reply(ws, "a")));
      ws.send(new JsonObject().put("ref", "b"));
      assertEquals("op", field(reply(ws, "b")));
      ws.send(op("heartbeat", "c").put("position_seconds", 3));
      assertEquals("id", field(reply(ws, "c")));
      ws.send(op("end", "d").put("id", 12));
      assertEquals("id", field(reply(ws, "d")));
      ws.send(op("heartbeat", "e").put("id", "not-a-uuid"));
      assertEquals("id", field(reply(ws, "e")));
      ws.send(
          SessionBodies.start(UUID.randomUUID())
              .put("user_id", "nope")
              .put("bandwidth_kbps", -1)
              .put("op", "start")
              .put("ref", "f"));
      JsonObject invalid = reply(ws, "f");
      assertEquals(400, invalid.getInteger("status"));
      Set<String> fields = new HashSet<>();
      invalid
          .getJsonObject("error")
          .getJsonArray("errors")
          .forEach(e -> fields.add(((JsonObject) e).getString("field")));
      assertEquals(Set.of("user_id", "bandwidth_kbps"), fields);
      ws.send(op("heartbeat", "g").put("id", UUID.randomUUID().toString()));
      JsonObject unknown = reply(ws, "g");
      assertEquals(404, unknown.getInteger("status"));
      assertEquals(404, unknown.getJsonObject("error").getInteger("status"));
      ws.send(new JsonObject().put("op", "start").put("ref", new JsonObject()));
      assertEquals(
          "ref",
          field(
              ws.await(
                  m ->
                      m.getValue("ref") == null
                          && m.getInteger("status") == 400
                          && "ref".equals(field(m)),
                  "ref error")));
      assertEquals(before, node.snapshot("playback_sessions"), "bad messages changed nothing");

      assertFalse(ws.isClosed());
      ws.send(SessionBodies.start(UUID.randomUUID()).put("op", "start").put("ref", "ok"));
      assertEquals(201, reply(ws, "ok").getInteger("status"));
    }
  }

  private static String field(JsonObject reply) {
    JsonObject error = reply.getJsonObject("error");
    assertNotNull(error, reply.encode());
    assertEquals(400, reply.getInteger("status"));
    return error.getJsonArray("errors").getJsonObject(0).getString("field");
  }

  @Test
  void manyPipelinedCommandsAreAllAnswered() {
    int n = 600;
    try (LiveClient ws = ingest(TestNode.INGEST_KEY)) {
      for (int i = 0; i < n; i++) {
        ws.socket()
            .writeTextMessage(
                SessionBodies.start(UUID.randomUUID()).put("op", "start").put("ref", i).encode());
      }
      Set<Object> refs = new HashSet<>();
      for (int i = 0; i < n; i++) {
        JsonObject r = ws.next();
        assertEquals(201, r.getInteger("status"), r.encode());
        refs.add(r.getValue("ref"));
      }
      assertEquals(n, refs.size());
    }
    assertTrue(node.count("SELECT count(*) FROM playback_sessions") >= n);
  }
}
