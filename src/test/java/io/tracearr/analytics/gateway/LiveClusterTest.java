package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.AlertFixtures;
import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clustered nodes on one database: a dashboard on either node sees what happens through the
 * other.
 */
class LiveClusterTest {

  @RegisterExtension
  static final NodeExtension cluster =
      NodeExtension.cluster(
          2,
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put(
                          "geoip_db_path",
                          Path.of("src/test/resources/geoip/GeoIP2-City-Test.mmdb")
                              .toAbsolutePath()
                              .toString())));

  static final TestNode a = cluster.node(0);
  static final TestNode b = cluster.node(1);

  private static long framesAbout(LiveClient live, String type, String id) {
    return live.received().stream()
        .filter(
            f ->
                type.equals(f.getString("type"))
                    && id.equals(f.getJsonObject("data").getString("id")))
        .count();
  }

  @Test
  void aDashboardOnNodeBSeesSessionsAndAlertsFromNodeAExactlyOnce() {
    try (LiveClient onB =
            LiveClient.connect(b.clientVertx(), b.port(), "/api/v1/live", TestNode.VIEWER_KEY);
        LiveClient onA =
            LiveClient.connect(a.clientVertx(), a.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      assertEquals(
          b.app().node().nodeId(), onB.await("hello").getJsonObject("data").getString("node_id"));
      assertNotEquals(a.app().node().nodeId(), b.app().node().nodeId());
      onB.await("snapshot");
      onA.await("snapshot");

      var started =
          a.post(
              "/api/v1/analytics/sessions",
              TestNode.INGEST_KEY,
              SessionBodies.start(UUID.randomUUID()));
      assertEquals(201, started.statusCode(), started.bodyAsString());
      String id = started.bodyAsJsonObject().getString("id");
      onB.await("session.started", d -> id.equals(d.getString("id")));

      assertEquals(
          204,
          a.put(
                  "/api/v1/analytics/sessions/" + id,
                  TestNode.INGEST_KEY,
                  new JsonObject().put("position_seconds", 77))
              .statusCode());
      onB.await(
          "session.updated",
          d -> id.equals(d.getString("id")) && d.getDouble("position_seconds") == 77.0);

      JsonObject alert = AlertFixtures.geoImpossible(UUID.randomUUID());
      a.app().vertx().eventBus().publish(Addresses.ALERT_RAISED, alert);
      onB.await("alert.raised", d -> alert.getString("id").equals(d.getString("id")));

      assertEquals(
          204,
          a.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
      onB.await("session.ended", d -> id.equals(d.getString("id")));
      onA.await("session.ended", d -> id.equals(d.getString("id")));

      // each node's gateway instances consume the event once each, and each socket belongs to one
      // instance
      for (LiveClient live : new LiveClient[] {onA, onB}) {
        assertEquals(1, framesAbout(live, "session.started", id));
        assertEquals(1, framesAbout(live, "session.ended", id));
        assertEquals(1, framesAbout(live, "alert.raised", alert.getString("id")));
      }
    }
  }

  @Test
  void anAlertRaisedByNodeAsDetectorReachesADashboardOnNodeB() {
    try (LiveClient onB =
        LiveClient.connect(b.clientVertx(), b.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      onB.await("snapshot");
      UUID sharer = UUID.randomUUID();
      // Paris and Syracuse (GeoIP fixture) at once on two devices, both through node A
      assertEquals(
          201,
          a.post(
                  "/api/v1/analytics/sessions",
                  TestNode.INGEST_KEY,
                  SessionBodies.start(sharer, "paris-tv", "90.80.10.7"))
              .statusCode());
      assertEquals(
          201,
          a.post(
                  "/api/v1/analytics/sessions",
                  TestNode.INGEST_KEY,
                  SessionBodies.start(sharer, "syracuse-laptop", "24.24.24.24"))
              .statusCode());
      JsonObject raised =
          onB.await(
                  "alert.raised",
                  d ->
                      sharer.toString().equals(d.getString("user_id"))
                          && "geo_impossible".equals(d.getString("alert_type")))
              .getJsonObject("data");
      assertTrue(raised.getJsonObject("evidence").getDouble("distance_km") > 5000, raised.encode());
    }
  }

  @Test
  void theSnapshotOnNodeBIncludesSessionsStartedThroughNodeA() {
    var started =
        a.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()));
    assertEquals(201, started.statusCode());
    String id = started.bodyAsJsonObject().getString("id");
    try (LiveClient onB =
        LiveClient.connect(b.clientVertx(), b.port(), "/api/v1/live", TestNode.ADMIN_KEY)) {
      JsonArray active =
          onB.await("snapshot").getJsonObject("data").getJsonArray("active_sessions");
      assertEquals(
          1, active.stream().filter(o -> id.equals(((JsonObject) o).getString("id"))).count());
    }
  }
}
