package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pause reaches the dashboard ahead of the position-only updates that the rate limits hold back
 * (bench/run scenario 13: with 5 000 polled sessions a pause queued behind ~5 000 updates and
 * showed ~25 s late). Both limits are set to 10 per second here, so the 40 ordinary updates take
 * about 4 s to drain; the pause must come out among the first.
 */
class StatusChangeFirstTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put("sessions", new JsonObject().put("updated_max_per_second", 10))
              .put("live", new JsonObject().put("updated_max_per_second", 10)));

  static final TestNode node = nodes.node();
  static final String SESSIONS = "/api/v1/analytics/sessions";

  @Test
  void aPausedSessionsUpdateOvertakesThePositionOnlyBacklog() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 41; i++) {
      var r = node.post(SESSIONS, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      ids.add(r.bodyAsJsonObject().getString("id"));
    }
    String paused = ids.get(40);
    try (LiveClient live =
        LiveClient.connect(node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      live.await("snapshot");
      for (String id : ids.subList(0, 40)) {
        var r =
            node.put(
                SESSIONS + "/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("position_seconds", 120));
        assertEquals(204, r.statusCode(), r.bodyAsString());
      }
      var p =
          node.put(
              SESSIONS + "/" + paused,
              TestNode.INGEST_KEY,
              new JsonObject().put("status", "paused").put("position_seconds", 120));
      assertEquals(204, p.statusCode(), p.bodyAsString());

      live.await(
          "session.updated",
          d -> paused.equals(d.getString("id")) && "paused".equals(d.getString("status")));
      Set<String> before = new HashSet<>();
      for (JsonObject f : live.received()) {
        if (!"session.updated".equals(f.getString("type"))) continue;
        JsonObject d = f.getJsonObject("data");
        if (paused.equals(d.getString("id"))) break;
        before.add(d.getString("id"));
      }
      // without the urgent lane it came after all 40 (each limit passes one per 100 ms)
      assertTrue(before.size() < 20, "position updates before the pause: " + before.size());
    }
  }
}
