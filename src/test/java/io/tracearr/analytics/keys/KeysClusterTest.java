package io.tracearr.analytics.keys;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A key made on one node works on the other; revoked on the first, the second refuses it within a
 * second.
 */
class KeysClusterTest {

  @RegisterExtension
  static final NodeExtension cluster = NodeExtension.cluster(2, new JsonObject());

  static final TestNode a = cluster.node(0);
  static final TestNode b = cluster.node(1);

  @Test
  void revokedOnOneNodeIsRefusedOnTheOtherWithinASecond() {
    var made =
        a.post(
            "/api/v1/analytics/keys",
            TestNode.ADMIN_KEY,
            new JsonObject().put("name", "dash-" + UUID.randomUUID()).put("role", "viewer"));
    assertEquals(201, made.statusCode(), made.bodyAsString());
    String key = made.bodyAsJsonObject().getString("key");
    String id = made.bodyAsJsonObject().getString("id");
    // the change event reaches b at once; the wait only covers the reload's query
    Await.until(
        Duration.ofSeconds(1),
        "node b accepts the new key",
        () -> b.get("/api/v1/analytics/sharing/alerts", key).statusCode() == 200);

    assertEquals(
        204, a.delete("/api/v1/analytics/keys/" + id, TestNode.ADMIN_KEY, null).statusCode());
    Await.until(
        Duration.ofSeconds(1),
        "node b refuses the revoked key",
        () -> b.get("/api/v1/analytics/sharing/alerts", key).statusCode() == 401);
    assertEquals(401, a.get("/api/v1/analytics/sharing/alerts", key).statusCode());
  }
}
