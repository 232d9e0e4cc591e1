package io.tracearr.analytics.detect;

import static io.tracearr.analytics.detect.SharingFixture.LAN;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Sessions the reaper timed out are over: they never count as concurrent streams. */
class TimedOutSessionsTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "sessions",
                  new JsonObject().put("timeout_seconds", 2).put("reap_interval_seconds", 1))
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600))));

  static final TestNode node = nodes.node();
  static SharingFixture fx;

  @BeforeAll
  static void prepare() {
    fx = new SharingFixture(node);
  }

  private static List<JsonObject> timedOut(UUID user, String... devices) {
    List<JsonObject> sessions = new ArrayList<>();
    for (String d : devices) sessions.add(fx.start(user, d, LAN));
    for (JsonObject s : sessions) {
      Await.until(
          SharingFixture.WAIT,
          "session reaped",
          () -> "timed_out".equals(fx.session(s.getString("id")).getString("status")));
    }
    return sessions;
  }

  private static int active(UUID user) {
    return node.get(SharingFixture.SESSIONS + "/active?user_id=" + user, TestNode.VIEWER_KEY)
        .bodyAsJsonObject()
        .getJsonArray("items")
        .size();
  }

  @Test
  void twoTimedOutAndThreeActiveDevicesRaiseNothing() {
    UUID user = UUID.randomUUID();
    timedOut(user, "old1", "old2");
    fx.start(user, "d3", LAN);
    fx.start(user, "d4", LAN);
    fx.start(user, "d5", LAN);
    fx.assertNoAlerts(user);
    assertEquals(
        3, active(user), "the three were still active when judged (they cannot come back)");
  }

  @Test
  void timedOutSessionsAreLeftOutOfTheEvidence() {
    UUID user = UUID.randomUUID();
    List<JsonObject> old = timedOut(user, "old1", "old2");
    fx.startAll(
        List.of(
            SharingFixture.startBody(user, "d3", LAN, null),
            SharingFixture.startBody(user, "d4", LAN, null),
            SharingFixture.startBody(user, "d5", LAN, null),
            SharingFixture.startBody(user, "d6", LAN, null)));
    JsonObject evidence = fx.awaitAlert(user, "concurrent_streams").getJsonObject("evidence");
    assertEquals(4, evidence.getInteger("count"));
    for (JsonObject s : old)
      assertFalse(evidence.getJsonArray("session_ids").contains(s.getString("id")));
  }
}
