package io.tracearr.analytics.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.media.MediaServerSimulator.Playback;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.tracearr.analytics.testing.WatchedServer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 13, "Done when": four devices of one Jellyfin user, seen only through the connector's
 * polls, raise a concurrent-streams alert whose evidence names the user and the devices as Jellyfin
 * names them; the sessions carry the user's, the title's and the server's names.
 */
class MediaSharingAlertTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single(new JsonObject());
  static final TestNode node = nodes.node();

  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() {
    TestNode.await(vertx.close());
  }

  @Test
  void fourDevicesOfOneJellyfinUserRaiseAnAlertThatNamesTheUserAndTheDevices() {
    String[] devices = {"Living Room TV", "Pixel 8", "iPad", "Office PC"};
    Playback[] playbacks = new Playback[devices.length];
    for (int i = 0; i < devices.length; i++) {
      playbacks[i] =
          Playback.episode(
              "sess-" + i,
              "item-" + i,
              "Cat's in the Bag...",
              "user-walt",
              "Walter",
              "dev-" + i,
              devices[i],
              "198.51.100." + (10 + i));
    }
    WatchedServer jellyfin =
        WatchedServer.add(
            node, vertx, ServerType.JELLYFIN, "jf-token-share", "Home Jellyfin", playbacks);
    UUID server = jellyfin.id;
    UUID user = jellyfin.user("user-walt");

    Await.until(
        Duration.ofSeconds(20),
        "a concurrent-streams alert for the Jellyfin user",
        () -> alerts(user).size() == 1);
    JsonObject alert = alerts(user).getJsonObject(0);
    assertEquals("concurrent_streams", alert.getString("alert_type"));
    JsonObject evidence = alert.getJsonObject("evidence");
    assertEquals("Walter", evidence.getString("user_name"));
    JsonArray names = evidence.getJsonArray("device_names");
    for (String d : devices)
      assertTrue(names.contains(d), "evidence names " + d + ": " + evidence.encode());

    JsonObject session =
        node.get(
                "/api/v1/analytics/sessions/" + MediaIds.session(server, "sess-0", "item-0"),
                TestNode.ADMIN_KEY)
            .bodyAsJsonObject();
    assertEquals("Walter", session.getString("user_name"));
    assertEquals(server.toString(), session.getString("server_id"));
    assertEquals("Cat's in the Bag...", session.getJsonObject("content").getString("title"));
    Await.until(
        Duration.ofSeconds(40),
        "the server's name on its sessions",
        () ->
            "Home Jellyfin"
                .equals(
                    node.get(
                            "/api/v1/analytics/sessions/"
                                + MediaIds.session(server, "sess-0", "item-0"),
                            TestNode.ADMIN_KEY)
                        .bodyAsJsonObject()
                        .getString("server_name")));
  }

  private static JsonArray alerts(UUID user) {
    return node.get("/api/v1/analytics/sharing/alerts?user_id=" + user, TestNode.ADMIN_KEY)
        .bodyAsJsonObject()
        .getJsonArray("items");
  }
}
