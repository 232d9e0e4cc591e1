package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15: every node judges, so a change made through one node reaches the other's detector,
 * whose cached copy of the user's controls is dropped by the cluster-wide event.
 */
class UserControlsClusterTest {

  @RegisterExtension
  static final NodeExtension cluster =
      NodeExtension.cluster(
          2,
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600))));

  static final TestNode a = cluster.node(0);
  static final TestNode b = cluster.node(1);

  @Test
  void aThresholdSetThroughOneNodeIsAppliedByTheOthersDetector() {
    SharingFixture onB = new SharingFixture(b);
    UUID user = UUID.randomUUID();
    onB.start(user, "d0", LAN); // b judges the user and caches "no controls"
    onB.assertNoAlerts(user);

    var r =
        a.put(
            "/api/v1/analytics/users/" + user + "/rules",
            TestNode.ADMIN_KEY,
            new JsonObject().put("thresholds", new JsonObject().put("concurrent_streams", 1)));
    assertEquals(200, r.statusCode(), r.bodyAsString());

    // 2 devices: fine globally (3), too many for this user; judged by b's detector
    onB.start(user, "d1", LAN);
    JsonObject alert = onB.awaitAlert(user, "concurrent_streams");
    assertEquals(1, alert.getJsonObject("evidence").getInteger("threshold"));
    assertEquals(List.of("concurrent_streams"), onB.types(user));
  }
}
