package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A silent session becomes timed_out once, ended at its last heartbeat. */
class ReaperTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "sessions",
                  new JsonObject().put("timeout_seconds", 2).put("reap_interval_seconds", 1)));

  static final TestNode node = nodes.node();

  @Test
  void silentSessionTimesOutExactlyOnceAtItsLastHeartbeat() {
    AtomicInteger endedEvents = new AtomicInteger();
    String[] idHolder = new String[1];
    node.app()
        .vertx()
        .eventBus()
        .<JsonObject>consumer(
            Addresses.SESSION_ENDED,
            m -> {
              if (m.body().getString("id").equals(idHolder[0])) endedEvents.incrementAndGet();
            });
    var r =
        node.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()));
    String id = r.bodyAsJsonObject().getString("id");
    idHolder[0] = id;
    assertEquals(
        204,
        node.put(
                "/api/v1/analytics/sessions/" + id,
                TestNode.INGEST_KEY,
                new JsonObject().put("position_seconds", 3))
            .statusCode());
    Await.until(
        Duration.ofSeconds(20),
        "timed out",
        () ->
            "timed_out"
                .equals(
                    node.get("/api/v1/analytics/sessions/" + id, TestNode.VIEWER_KEY)
                        .bodyAsJsonObject()
                        .getString("status")));
    JsonObject s =
        node.get("/api/v1/analytics/sessions/" + id, TestNode.VIEWER_KEY).bodyAsJsonObject();
    assertEquals("timeout", s.getString("ended_reason"));
    assertEquals(
        s.getString("last_heartbeat_at"), s.getString("ended_at"), "ended at the last heartbeat");
    Await.until(Duration.ofSeconds(5), "ended event", () -> endedEvents.get() == 1);
    // further reaper runs (every second) must not end it again
    long runsBefore = node.count("SELECT count(*) FROM job_runs WHERE job = 'reaper'");
    Await.until(
        Duration.ofSeconds(10),
        "two more reaper runs",
        () -> node.count("SELECT count(*) FROM job_runs WHERE job = 'reaper'") >= runsBefore + 2);
    assertEquals(1, endedEvents.get(), "reaped exactly once");
    assertEquals(
        409,
        node.put("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, new JsonObject())
            .statusCode());
  }
}
