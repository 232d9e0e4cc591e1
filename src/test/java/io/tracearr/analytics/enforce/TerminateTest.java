package io.tracearr.analytics.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.media.MediaServerSimulator;
import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.media.ServerType;
import io.tracearr.analytics.metrics.Scrape;
import io.tracearr.analytics.notify.RecordingReceiver;
import io.tracearr.analytics.testing.AuditLog;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.tracearr.analytics.testing.WatchedServer;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, terminate through the media-server door and the plain REST door (the ingest door on
 * another node: {@link TerminateIngestClusterTest}), with the session.terminated notification, the
 * metric, the audit entries and the bad input.
 */
class TerminateTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600)))
              .put("notifications", new JsonObject().put("sweep_seconds", 1)));

  static final TestNode node = nodes.node();

  static final String SESSIONS = "/api/v1/analytics/sessions";

  private static String startRest() {
    HttpResponse<Buffer> r =
        node.post(SESSIONS, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  private static HttpResponse<Buffer> terminate(String id, String token, Object body) {
    return node.post(SESSIONS + "/" + id + "/terminate", token, body);
  }

  private static List<JsonObject> audit(String action) {
    return AuditLog.entries(node, action);
  }

  @Test
  void aRestClientsSessionEndsTerminatedAndItsNextHeartbeatGets409Terminated() {
    double before =
        Scrape.parse(node.get("/metrics", null).bodyAsString())
            .sum("analytics_sessions_terminated_total", Map.of("trigger", "manual"));
    String id = startRest();

    HttpResponse<Buffer> r =
        terminate(id, TestNode.ADMIN_KEY, new JsonObject().put("reason", "Shared account"));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    assertEquals("terminated", r.bodyAsJsonObject().getString("outcome"));
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE id = '"
                + id
                + "' AND ended_reason = 'terminated' AND ended_at IS NOT NULL"));

    HttpResponse<Buffer> hb =
        node.put(
            SESSIONS + "/" + id, TestNode.INGEST_KEY, new JsonObject().put("position_seconds", 30));
    assertEquals(409, hb.statusCode(), hb.bodyAsString());
    assertTrue(
        hb.bodyAsJsonObject().getString("type").endsWith("session-terminated"), hb.bodyAsString());
    assertTrue(hb.bodyAsJsonObject().getString("detail").contains("terminated"));

    // a second terminate changes nothing
    HttpResponse<Buffer> again = terminate(id, TestNode.ADMIN_KEY, null);
    assertEquals(202, again.statusCode());
    assertEquals("already_ended", again.bodyAsJsonObject().getString("outcome"));

    double after =
        Scrape.parse(node.get("/metrics", null).bodyAsString())
            .sum("analytics_sessions_terminated_total", Map.of("trigger", "manual"));
    assertEquals(before + 1, after, 0.0);

    Await.until(
        Duration.ofSeconds(10),
        "the terminate in the audit log",
        () ->
            audit("terminateSession").stream()
                .anyMatch(
                    e ->
                        e.getString("target").contains(id)
                            && "ok".equals(e.getString("result"))
                            && "terminated".equals(e.getJsonObject("after").getString("outcome"))
                            && e.getString("actor").startsWith("api-key:admin")
                            && "Shared account"
                                .equals(e.getJsonObject("after").getString("reason"))));
  }

  @Test
  void badInputAndNonAdminsChangeNothingAndRefusalsAreAudited() {
    String id = startRest();
    HttpResponse<Buffer> longReason =
        terminate(id, TestNode.ADMIN_KEY, new JsonObject().put("reason", "x".repeat(201)));
    assertEquals(400, longReason.statusCode(), longReason.bodyAsString());
    assertTrue(longReason.bodyAsString().contains("reason"), longReason.bodyAsString());

    HttpResponse<Buffer> viewer = terminate(id, TestNode.VIEWER_KEY, null);
    assertEquals(403, viewer.statusCode());
    HttpResponse<Buffer> ingest = terminate(id, TestNode.INGEST_KEY, null);
    assertEquals(403, ingest.statusCode());
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE id = '" + id + "' AND ended_at IS NULL"));

    HttpResponse<Buffer> unknown =
        terminate(UUID.randomUUID().toString(), TestNode.ADMIN_KEY, null);
    assertEquals(404, unknown.statusCode());

    Await.until(
        Duration.ofSeconds(10),
        "both refusals audited",
        () ->
            audit("terminateSession").stream()
                    .filter(
                        e ->
                            e.getString("target").contains(id)
                                && "forbidden".equals(e.getString("result")))
                    .count()
                == 2);
  }

  @Test
  void aJellyfinSessionGetsTheMessageAndTheStopCallAndChannelsGetSessionTerminated() {
    RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(node.clientVertx()));
    try {
      HttpResponse<Buffer> channel =
          node.post(
              "/api/v1/analytics/notifications/channels",
              TestNode.ADMIN_KEY,
              new JsonObject()
                  .put("name", "terminations")
                  .put("type", "webhook")
                  .put("url", receiver.url("/hook"))
                  .put("secret", "terminate-secret-0123456789")
                  .put("events", new JsonArray().add("session.terminated")));
      assertEquals(201, channel.statusCode(), channel.bodyAsString());

      try (WatchedServer jellyfin =
          WatchedServer.add(
              node,
              node.clientVertx(),
              ServerType.JELLYFIN,
              "jf-token-terminate",
              "Terminate Jellyfin",
              Playback.episode(
                  "sess-t1",
                  "item-t1",
                  "Pilot",
                  "user-jesse",
                  "Jesse",
                  "dev-t1",
                  "Living Room TV",
                  "198.51.100.77"))) {
        MediaServerSimulator sim = jellyfin.sim;
        String id = jellyfin.openSession("user-jesse");

        HttpResponse<Buffer> r =
            terminate(
                id, TestNode.ADMIN_KEY, new JsonObject().put("reason", "Please stop sharing"));
        assertEquals(202, r.statusCode(), r.bodyAsString());
        assertEquals("terminated", r.bodyAsJsonObject().getString("outcome"), r.bodyAsString());

        List<MediaServerSimulator.ReceivedCommand> commands = sim.commands();
        assertTrue(
            commands.stream()
                .anyMatch(
                    c ->
                        c.kind().equals("Message")
                            && c.sessionId().equals("sess-t1")
                            && "Please stop sharing".equals(c.payload().getString("Text"))),
            commands.toString());
        assertTrue(
            commands.stream()
                .anyMatch(c -> c.kind().equals("Playing/Stop") && c.sessionId().equals("sess-t1")),
            commands.toString());
        assertEquals(
            1,
            node.count(
                "SELECT count(*) FROM playback_sessions WHERE id = '"
                    + id
                    + "' AND ended_reason = 'terminated'"));

        Await.until(
            Duration.ofSeconds(20),
            "the session.terminated notification",
            () ->
                receiver.requests().stream()
                    .anyMatch(
                        q ->
                            q.bodyAsString().contains("session.terminated")
                                && q.bodyAsString().contains("Please stop sharing")));
        Await.until(
            Duration.ofSeconds(10),
            "the server and channel changes audited",
            () ->
                audit("createServer").stream().anyMatch(e -> "ok".equals(e.getString("result")))
                    && audit("createNotificationChannel").stream()
                        .anyMatch(e -> "ok".equals(e.getString("result"))));
      }
    } finally {
      TestNode.await(receiver.close());
    }
  }

  private static long sessionPolls(MediaServerSimulator sim) {
    return sim.requests().stream().filter(q -> q.equals("GET /Sessions")).count();
  }

  /**
   * The stop takes effect before its answer (the simulator answers 3 s late, the watcher polls
   * every second): the watcher sees the playback gone first. Before the fix its poll ended the
   * session as the client's own end and the answer was "already_ended".
   */
  @Test
  void aStopThatTheWatcherSeesBeforeItsAnswerStillEndsTheSessionTerminated() {
    try (WatchedServer jellyfin =
        WatchedServer.add(
            node,
            node.clientVertx(),
            ServerType.JELLYFIN,
            "jf-token-slow",
            "Slow-stop Jellyfin",
            Playback.episode(
                "sess-slow",
                "item-slow",
                "Pilot",
                "user-walt",
                "Walt",
                "dev-slow",
                "Den TV",
                "198.51.100.78"))) {
      MediaServerSimulator sim = jellyfin.sim;
      sim.answerStopsAfter(3_000);
      String id = jellyfin.openSession("user-walt");
      long polls = sessionPolls(sim);

      HttpResponse<Buffer> r = terminate(id, TestNode.ADMIN_KEY, new JsonObject());
      assertEquals(202, r.statusCode(), r.bodyAsString());
      // the watcher polled while the stop call waited for its answer
      assertTrue(sessionPolls(sim) >= polls + 2, "polls during the stop: " + sim.requests());
      assertEquals("terminated", r.bodyAsJsonObject().getString("outcome"), r.bodyAsString());
      assertEquals(
          1,
          node.count(
              "SELECT count(*) FROM playback_sessions WHERE id = '"
                  + id
                  + "' AND ended_reason = 'terminated'"));
    }
  }

  @Test
  void aPlexSessionGetsTheTerminateCallWithTheReason() {
    Playback p =
        Playback.movie(
            "41",
            "rk-900",
            "Heat",
            "plex-user-9",
            "Neil",
            "plex-dev-9",
            "Apple TV",
            "198.51.100.99");
    try (WatchedServer plex =
        WatchedServer.add(
            node,
            node.clientVertx(),
            ServerType.PLEX,
            "plex-token-terminate",
            "Terminate Plex",
            p)) {
      MediaServerSimulator sim = plex.sim;
      String id = plex.openSession("plex-user-9");
      HttpResponse<Buffer> r =
          terminate(id, TestNode.ADMIN_KEY, new JsonObject().put("reason", "Too many streams"));
      assertEquals(202, r.statusCode(), r.bodyAsString());
      assertEquals("terminated", r.bodyAsJsonObject().getString("outcome"), r.bodyAsString());
      assertTrue(
          sim.commands().stream()
              .anyMatch(
                  c ->
                      c.kind().equals("terminate")
                          && c.sessionId().equals(p.plexSessionId())
                          && "Too many streams".equals(c.payload().getString("reason"))),
          sim.commands().toString());
    }
  }
}
