package io.tracearr.analytics.enforce;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15, the ingest door: a session started over node 1's ingest socket, terminated through node
 * 0's REST API; the socket on node 1 receives {@code {"op": "terminate", "id", "reason"}}.
 */
class TerminateIngestClusterTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.cluster(2, new JsonObject());

  @Test
  void theSocketOnTheOtherNodeReceivesTerminate() {
    TestNode holder = nodes.node(1);
    TestNode asked = nodes.node(0);
    try (LiveClient ws =
        LiveClient.connect(
            holder.clientVertx(), holder.port(), "/api/v1/ingest", TestNode.INGEST_KEY)) {
      ws.send(SessionBodies.start(UUID.randomUUID()).put("op", "start").put("ref", "s1"));
      JsonObject started = ws.await(m -> "s1".equals(m.getValue("ref")), "the start's reply");
      assertEquals(201, started.getInteger("status"), started.encode());
      String id = started.getJsonObject("session").getString("id");
      ws.send(
          new JsonObject()
              .put("op", "heartbeat")
              .put("ref", "h1")
              .put("id", id)
              .put("position_seconds", 5));
      ws.await(m -> "h1".equals(m.getValue("ref")), "the heartbeat's reply");

      HttpResponse<Buffer> r =
          asked.post(
              "/api/v1/analytics/sessions/" + id + "/terminate",
              TestNode.ADMIN_KEY,
              new JsonObject().put("reason", "Account sharing"));
      assertEquals(202, r.statusCode(), r.bodyAsString());
      assertEquals("terminated", r.bodyAsJsonObject().getString("outcome"));

      JsonObject stop =
          ws.await(m -> "terminate".equals(m.getString("op")), "the terminate message");
      assertEquals(id, stop.getString("id"));
      assertEquals("Account sharing", stop.getString("reason"));
      assertEquals(
          1,
          holder.count(
              "SELECT count(*) FROM playback_sessions WHERE id = '"
                  + id
                  + "' AND ended_reason = 'terminated'"));

      // the client's late heartbeat learns why
      ws.send(new JsonObject().put("op", "heartbeat").put("ref", "h2").put("id", id));
      JsonObject late = ws.await(m -> "h2".equals(m.getValue("ref")), "the late heartbeat's reply");
      assertEquals(409, late.getInteger("status"), late.encode());
    }
  }
}
