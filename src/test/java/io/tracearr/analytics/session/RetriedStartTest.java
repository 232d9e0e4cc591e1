package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The partitioned table's key is (id, started_at): a retried start whose started_at differs (even
 * by a month, into another partition) must still insert nothing; session_ids says the id exists.
 */
class RetriedStartTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  @Test
  void aRetryWithAnotherStartedAtInsertsNothing() {
    String id = UUID.randomUUID().toString();
    Instant first = Instant.now().minus(3, ChronoUnit.DAYS).truncatedTo(ChronoUnit.SECONDS);
    JsonObject start = SessionBodies.start(UUID.randomUUID()).put("id", id);
    assertEquals(
        201,
        node.post(
                "/api/v1/analytics/sessions",
                TestNode.INGEST_KEY,
                start.copy().put("started_at", first.toString()))
            .statusCode());
    for (Instant other :
        new Instant[] {
          Instant.now().truncatedTo(ChronoUnit.SECONDS), first.minus(3, ChronoUnit.DAYS)
        }) {
      var retry =
          node.post(
              "/api/v1/analytics/sessions",
              TestNode.INGEST_KEY,
              start.copy().put("started_at", other.toString()));
      assertEquals(200, retry.statusCode(), retry.bodyAsString());
      assertEquals(
          first.toString(),
          Instant.parse(retry.bodyAsJsonObject().getString("started_at")).toString());
    }
    assertEquals(1, node.count("SELECT count(*) FROM playback_sessions WHERE id = '" + id + "'"));
    assertEquals(1, node.count("SELECT count(*) FROM session_ids WHERE id = '" + id + "'"));
    // and it is still the one open session the service heartbeats and ends
    assertEquals(
        204,
        node.put(
                "/api/v1/analytics/sessions/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("status", "paused"))
            .statusCode());
    assertEquals(
        204,
        node.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
    assertEquals(
        1,
        node.count(
            "SELECT count(*) FROM playback_sessions WHERE id = '" + id + "' AND status = 'ended'"));
  }
}
