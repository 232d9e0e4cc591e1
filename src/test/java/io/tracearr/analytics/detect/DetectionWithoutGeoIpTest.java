package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static io.tracearr.analytics.detect.SharingFixture.PARIS;
import static io.tracearr.analytics.detect.SharingFixture.SYRACUSE;
import static io.tracearr.analytics.detect.SharingFixture.startBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node whose GeoIP database is missing still serves and still judges the rules that need no
 * place; the periodic DetectSharing sweep (every second here) finds what no real-time event
 * announced.
 */
class DetectionWithoutGeoIpTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put(
                          "geoip_db_path",
                          TestNode.tempDir().resolve("missing/GeoLite2-City.mmdb").toString())
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 1))));

  static final TestNode node = nodes.node();
  static SharingFixture fx;

  @BeforeAll
  static void prepare() {
    fx = new SharingFixture(node);
  }

  @Test
  void readinessShowsGeoIpDisabledAndTheNodeIsReady() {
    var ready = node.get("/health/ready", null);
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    assertEquals("ready", ready.bodyAsJsonObject().getString("status"));
    assertEquals("disabled", ready.bodyAsJsonObject().getJsonObject("checks").getString("geoip"));
  }

  @Test
  void sessionsAreNotLocatedAndGeoRulesAreOff() {
    UUID user = UUID.randomUUID();
    assertNull(fx.start(user, "laptop", PARIS).getValue("location"));
    assertNull(fx.start(user, "tv", SYRACUSE).getValue("location"));
    fx.assertNoAlerts(user);
  }

  @Test
  void rulesWithoutPlacesStillRaiseAlerts() {
    UUID user = UUID.randomUUID();
    fx.startAll(
        List.of(
            startBody(user, "d1", LAN, null),
            startBody(user, "d2", LAN, null),
            startBody(user, "d3", LAN, null),
            startBody(user, "d4", LAN, null)));
    assertEquals(
        4, fx.awaitAlert(user, "concurrent_streams").getJsonObject("evidence").getInteger("count"));
  }

  @Test
  void thePeriodicSweepFindsSessionsNoEventAnnounced() {
    UUID user = UUID.randomUUID();
    node.sql(
        """
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
          ip_address, status, started_at, last_heartbeat_at)
        SELECT gen_random_uuid(), '%s', 'movie', gen_random_uuid(), 'Plex Web', 'd' || i, 'd' || i,
          ('192.168.1.' || i)::inet, 'playing', now(), now()
        FROM generate_series(1, 4) AS i"""
            .formatted(user));
    JsonObject alert = fx.awaitAlert(user, "concurrent_streams");
    assertEquals(4, alert.getJsonObject("evidence").getInteger("count"));
    assertTrue(node.count("SELECT count(*) FROM job_runs WHERE job = 'detect-sweep'") >= 1);
  }

  @Test
  void anUnreadableDatabaseFileAlsoLeavesGeoIpDisabled() throws Exception {
    Path garbage =
        Files.writeString(TestNode.tempDir().resolve("GeoIP2-City.mmdb"), "not a MaxMind database");
    try (TestNode other =
        TestNode.start(
            new JsonObject()
                .put("analytics", new JsonObject().put("geoip_db_path", garbage.toString())))) {
      var ready = other.get("/health/ready", null);
      assertEquals(200, ready.statusCode(), ready.bodyAsString());
      assertEquals("disabled", ready.bodyAsJsonObject().getJsonObject("checks").getString("geoip"));
    }
  }
}
