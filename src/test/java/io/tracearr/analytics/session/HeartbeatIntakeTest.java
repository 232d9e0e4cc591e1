package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Heartbeats of sessions the registry knows open are answered by the gateway and queued in the
 * registry's {@link HeartbeatIntake} (issue 18); what they promise stays as on the command path:
 * written, 409 once ended, an IP change written before the detector judges it, errors worded by the
 * registry.
 */
class HeartbeatIntakeTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single(new JsonObject());
  static final TestNode node = nodes.node();

  private static String start() {
    return node.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()))
        .bodyAsJsonObject()
        .getString("id");
  }

  private static int heartbeat(String id, JsonObject body) {
    return node.put("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, body).statusCode();
  }

  @Test
  void aKnownSessionsHeartbeatsAreQueuedAndWritten() {
    HeartbeatIntake intake = HeartbeatIntake.of(node.app().vertx());
    assertNotNull(intake, "the registry registers its intake");
    String id = start();
    for (int i = 1; i <= 20; i++) {
      assertEquals(
          204, heartbeat(id, new JsonObject().put("status", "playing").put("position_seconds", i)));
    }
    Await.until(
        Duration.ofSeconds(10),
        "the last queued heartbeat written",
        () ->
            node.count(
                    "SELECT count(*) FROM playback_sessions WHERE id = '"
                        + id
                        + "' AND position_seconds = 20")
                == 1);
    assertEquals(0, intake.queued(), "drained by the registry");
  }

  @Test
  void afterTheEndAHeartbeatIsRefused() {
    String id = start();
    assertEquals(204, heartbeat(id, new JsonObject().put("position_seconds", 5)));
    assertEquals(
        204,
        node.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
    assertEquals(409, heartbeat(id, new JsonObject().put("position_seconds", 6)));
    JsonObject s =
        node.get("/api/v1/analytics/sessions/" + id, TestNode.ADMIN_KEY).bodyAsJsonObject();
    assertEquals(5.0, s.getDouble("position_seconds"), s.encode());
  }

  @Test
  void aNewAddressTakesTheCommandPathAndIsWrittenAtOnce() {
    String id = start();
    assertEquals(204, heartbeat(id, new JsonObject().put("ip_address", "203.0.113.77")));
    // the command path writes an address change before answering's follow-up detection reads it
    Await.until(
        Duration.ofSeconds(10),
        "the new address written",
        () ->
            node.count(
                    "SELECT count(*) FROM playback_sessions WHERE id = '"
                        + id
                        + "' AND ip_address = '203.0.113.77'")
                == 1);
    // the same address again is no change: queued like any heartbeat
    assertEquals(204, heartbeat(id, new JsonObject().put("ip_address", "203.0.113.77")));
  }

  @Test
  void errorsAreWordedAsBefore() {
    String id = start();
    var bad =
        node.put(
            "/api/v1/analytics/sessions/" + id,
            TestNode.INGEST_KEY,
            new JsonObject().put("position_seconds", -1).put("status", "dancing"));
    assertEquals(400, bad.statusCode());
    String text = bad.bodyAsString();
    assertTrue(text.contains("position_seconds") && text.contains("status"), text);
    assertEquals(404, heartbeat(UUID.randomUUID().toString(), new JsonObject()));
    assertEquals(400, heartbeat("not-a-uuid", new JsonObject()));
    var nested =
        node.put(
            "/api/v1/analytics/sessions/" + id,
            TestNode.INGEST_KEY,
            new JsonObject().put("status", new JsonObject().put("x", 1)));
    assertEquals(400, nested.statusCode(), nested.bodyAsString());
  }
}
