package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An end right after a heartbeat keeps that heartbeat, whether it was still buffered or already in
 * a batch being written: the end waits for both before it commits.
 */
class EndAfterHeartbeatTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single(new JsonObject());
  static final TestNode node = nodes.node();

  /**
   * Repeated: the loss depended on whether a periodic flush had just taken the heartbeat (README
   * quickstart).
   */
  @org.junit.jupiter.api.RepeatedTest(5)
  void theLastHeartbeatBeforeAnEndIsKept() {
    String id =
        node.post(
                "/api/v1/analytics/sessions",
                TestNode.INGEST_KEY,
                SessionBodies.start(UUID.randomUUID()))
            .bodyAsJsonObject()
            .getString("id");
    assertEquals(
        204,
        node.put(
                "/api/v1/analytics/sessions/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("status", "playing").put("position_seconds", 120))
            .statusCode());
    assertEquals(
        204,
        node.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
    JsonObject ended =
        node.get("/api/v1/analytics/sessions/" + id, TestNode.ADMIN_KEY).bodyAsJsonObject();
    assertEquals("ended", ended.getString("status"));
    assertEquals(120.0, ended.getDouble("position_seconds"), ended.encode());
  }
}
