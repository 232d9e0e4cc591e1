package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clustered nodes, one database, one channel from the configuration: every event is delivered
 * exactly once per channel although both nodes take in events, run the catch-up sweep and claim
 * deliveries.
 */
class NotificationClusterTest {

  static final Duration WAIT = Duration.ofSeconds(30);
  static final Vertx receiverVertx = Vertx.vertx();
  static final RecordingReceiver receiver = TestNode.await(RecordingReceiver.start(receiverVertx));

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.cluster(
          2,
          new JsonObject()
              .put(
                  "analytics",
                  new JsonObject()
                      .put("sharing_detection", new JsonObject().put("sweep_seconds", 3600)))
              .put(
                  "notifications",
                  new JsonObject()
                      .put("sweep_seconds", 1)
                      .put(
                          "channels",
                          new JsonArray()
                              .add(
                                  new JsonObject()
                                      .put("name", "cluster-hook")
                                      .put("type", "webhook")
                                      .put("url", receiver.url("/cluster"))
                                      .put("secret", "cluster-secret-0123456789")
                                      .put("events", new JsonArray().add("alert.raised"))))));

  @AfterAll
  static void closeReceiver() {
    TestNode.await(receiver.close());
    receiverVertx.close();
  }

  @Test
  void configChannelIsOneRowWithAStableIdAndCannotBeChangedThroughTheApi() {
    UUID id =
        UUID.nameUUIDFromBytes(
            "notifications.channels:cluster-hook".getBytes(StandardCharsets.UTF_8));
    TestNode node = nodes.node(1);
    assertEquals(
        1, node.count("SELECT count(*) FROM notification_channels WHERE source = 'config'"));
    JsonObject channel =
        node.get("/api/v1/analytics/notifications/channels/" + id, TestNode.ADMIN_KEY)
            .bodyAsJsonObject();
    assertEquals("config", channel.getString("source"));
    assertEquals(true, channel.getBoolean("secret_set"));
    assertTrue(!channel.containsKey("secret"));
    HttpResponse<Buffer> patch =
        node.send(
            HttpMethod.PATCH,
            "/api/v1/analytics/notifications/channels/" + id,
            TestNode.ADMIN_KEY,
            new JsonObject().put("enabled", false));
    assertEquals(409, patch.statusCode(), patch.bodyAsString());
    assertEquals(
        409,
        node.delete("/api/v1/analytics/notifications/channels/" + id, TestNode.ADMIN_KEY, null)
            .statusCode());
  }

  @Test
  void anAlertIsDeliveredExactlyOncePerChannelAcrossTheCluster() {
    UUID user = UUID.randomUUID();
    // the devices arrive at both nodes, as from two media servers behind a balancer
    for (int i = 1; i <= 4; i++) {
      TestNode node = nodes.node(i % 2);
      HttpResponse<Buffer> r =
          node.post(
              "/api/v1/analytics/sessions",
              TestNode.INGEST_KEY,
              SessionBodies.start(user, "device-" + i, "192.168.1.10"));
      assertEquals(201, r.statusCode(), r.bodyAsString());
    }
    TestNode any = nodes.node(0);
    Await.until(
        WAIT,
        "the alert is delivered",
        () ->
            any.count(
                    "SELECT count(*) FROM notification_deliveries d "
                        + "JOIN sharing_alerts a ON d.event_key = 'alert:' || a.id || ':raised' WHERE a.user_id = '"
                        + user
                        + "' AND d.status = 'delivered'")
                == 1);
    // both nodes' sweeps run over the alert again before counting: they must add nothing
    long sweeps =
        any.count(
            "SELECT count(*) FROM job_runs WHERE job = 'notify-sweep' AND finished_at IS NOT NULL");
    Await.until(
        WAIT,
        "two more sweeps",
        () ->
            any.count(
                    "SELECT count(*) FROM job_runs WHERE job = 'notify-sweep' AND finished_at IS NOT NULL")
                >= sweeps + 2);
    String alertId =
        any.get("/api/v1/analytics/sharing/alerts?user_id=" + user, TestNode.ADMIN_KEY)
            .bodyAsJsonObject()
            .getJsonArray("items")
            .getJsonObject(0)
            .getString("id");
    assertEquals(
        1,
        any.count(
            "SELECT count(*) FROM notification_deliveries WHERE event_key = 'alert:"
                + alertId
                + ":raised'"));
    List<RecordingReceiver.Recorded> forThisAlert =
        receiver.requests().stream()
            .filter(r -> alertId.equals(r.bodyAsJson().getJsonObject("data").getString("id")))
            .toList();
    assertEquals(1, forThisAlert.size(), "one request for the alert");
  }
}
