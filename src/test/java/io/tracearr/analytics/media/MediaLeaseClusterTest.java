package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.metrics.Scrape;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clustered nodes on one database: exactly one polls a server (its lease holder); when it
 * stops, the other takes the server over and the same session goes on; a lease nobody renews is
 * taken over once it expires.
 */
class MediaLeaseClusterTest {

  private static final int LEASE_SECONDS = 3;

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.cluster(
          2, new JsonObject().put("media", new JsonObject().put("lease_seconds", LEASE_SECONDS)));

  static Vertx vertx;
  static MediaServerSimulator sim;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    sim =
        TestNode.await(MediaServerSimulator.start(vertx, ServerType.JELLYFIN, "jf-token-cluster"));
    sim.fixtureSessions(false);
  }

  @AfterAll
  static void stop() {
    TestNode.await(vertx.close());
  }

  static double polls(TestNode node) {
    return Scrape.parse(node.get("/metrics", null).bodyAsString())
        .sum("analytics_media_poll_duration_seconds_count", Map.of("server", "shared"));
  }

  static String watchedBy(TestNode via, UUID server) {
    return via.get("/api/v1/analytics/servers/" + server, TestNode.ADMIN_KEY)
        .bodyAsJsonObject()
        .getString("watched_by");
  }

  static JsonObject session(TestNode via, UUID id) {
    return via.get("/api/v1/analytics/sessions/" + id, TestNode.ADMIN_KEY).bodyAsJsonObject();
  }

  @Test
  void oneNodePollsAndTheOtherTakesOverWhenItStops() {
    Playback p =
        Playback.episode(
            "sess-c", "item-c", "Pilot", "user-c", "Jesse", "dev-c", "Phone", "203.0.113.9");
    sim.put(p);
    HttpResponse<Buffer> created =
        nodes
            .node(0)
            .post(
                "/api/v1/analytics/servers",
                TestNode.ADMIN_KEY,
                new JsonObject()
                    .put("name", "shared")
                    .put("type", "jellyfin")
                    .put("url", sim.baseUrl())
                    .put("token", sim.token())
                    .put("poll_interval_seconds", 1));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    UUID server = UUID.fromString(created.bodyAsJsonObject().getString("id"));
    UUID sessionId = MediaIds.session(server, "sess-c", "item-c");

    Await.until(
        Duration.ofSeconds(10), "a lease holder", () -> watchedBy(nodes.node(0), server) != null);
    String holderId = watchedBy(nodes.node(0), server);
    int holder = holderId.equals(nodes.node(0).app().node().nodeId()) ? 0 : 1;
    TestNode watching = nodes.node(holder);
    TestNode other = nodes.node(1 - holder);
    assertEquals(other.app().node().nodeId().equals(holderId), false);

    Await.until(
        Duration.ofSeconds(15), "the holder polls several times", () -> polls(watching) >= 4);
    assertEquals(0d, polls(other), "only the lease holder polls");
    assertEquals(
        1,
        other.count("SELECT count(*) FROM media_server_leases WHERE server_id = '" + server + "'"));
    Await.until(
        Duration.ofSeconds(10),
        "the session",
        () ->
            other.get("/api/v1/analytics/sessions/" + sessionId, TestNode.ADMIN_KEY).statusCode()
                == 200);

    watching.close();
    String otherId = other.app().node().nodeId();
    // released on a clean stop; at worst the lease expires: within LEASE_SECONDS plus one renewal
    // period
    Await.until(
        Duration.ofSeconds(LEASE_SECONDS + 5L),
        "the other node takes over",
        () -> otherId.equals(watchedBy(other, server)));
    double before = polls(other);
    Await.until(Duration.ofSeconds(10), "the other node polls", () -> polls(other) >= before + 2);

    String beat = session(other, sessionId).getString("last_heartbeat_at");
    Await.until(
        Duration.ofSeconds(10),
        "the same session goes on",
        () -> !session(other, sessionId).getString("last_heartbeat_at").equals(beat));
    assertNull(session(other, sessionId).getString("ended_at"));

    // a holder that stops renewing without releasing (a dead node) loses the server once its lease
    // expires
    other.sql(
        "UPDATE media_server_leases SET node_id = 'dead-node', expires_at = now() + interval '2 seconds' WHERE server_id = '"
            + server
            + "'");
    assertEquals("dead-node", watchedBy(other, server), "an unexpired lease is respected");
    Await.until(
        Duration.ofSeconds(LEASE_SECONDS + 6L),
        "taken over from the dead node",
        () -> otherId.equals(watchedBy(other, server)));
    assertNull(session(other, sessionId).getString("ended_at"));
  }
}
