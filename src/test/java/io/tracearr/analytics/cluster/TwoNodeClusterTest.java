package io.tracearr.analytics.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two clustered nodes in one JVM, one database: the event bus spans them and either serves any
 * session.
 */
@ExtendWith(VertxExtension.class)
class TwoNodeClusterTest {

  @RegisterExtension
  static final NodeExtension cluster = NodeExtension.cluster(2, new JsonObject());

  static final TestNode a = cluster.node(0);
  static final TestNode b = cluster.node(1);

  @Test
  void messagePublishedOnOneNodeReachesTheOther(VertxTestContext ctx) {
    // lax: A publishes until B has it, so more than one may arrive
    Checkpoint received = ctx.laxCheckpoint();
    Checkpoint twoMembers = ctx.checkpoint();
    Vertx onA = a.app().vertx();
    b.app()
        .vertx()
        .eventBus()
        .<String>consumer(
            "test.cluster.ping",
            m ->
                ctx.verify(
                    () -> {
                      assertEquals("hello from A", m.body());
                      received.flag();
                    }))
        .completion()
        .onComplete(
            ctx.succeeding(
                registered -> {
                  // B's subscription reaches A's view of the cluster asynchronously: publish until
                  // the test is over
                  onA.setPeriodic(
                      0,
                      50,
                      id -> {
                        if (ctx.completed() || ctx.failed()) onA.cancelTimer(id);
                        else onA.eventBus().publish("test.cluster.ping", "hello from A");
                      });
                }));
    b.client()
        .get("/health/ready")
        .send()
        .onComplete(
            ctx.succeeding(
                ready ->
                    ctx.verify(
                        () -> {
                          assertEquals(
                              2,
                              ready
                                  .bodyAsJsonObject()
                                  .getJsonObject("checks")
                                  .getJsonObject("cluster")
                                  .getInteger("members"));
                          twoMembers.flag();
                        })));
  }

  @Test
  void sessionStartedOnBGetsHeartbeatsAndEndOnA() {
    List<JsonObject> endedOnB = new CopyOnWriteArrayList<>();
    TestNode.await(
        b.app()
            .vertx()
            .eventBus()
            .<JsonObject>consumer(Addresses.SESSION_ENDED, m -> endedOnB.add(m.body()))
            .completion());
    var started =
        b.post(
            "/api/v1/analytics/sessions",
            TestNode.INGEST_KEY,
            SessionBodies.start(UUID.randomUUID()));
    assertEquals(201, started.statusCode());
    String id = started.bodyAsJsonObject().getString("id");
    var hb =
        a.put(
            "/api/v1/analytics/sessions/" + id,
            TestNode.INGEST_KEY,
            new JsonObject().put("status", "paused").put("position_seconds", 42));
    assertEquals(204, hb.statusCode(), hb.bodyAsString());
    Await.until(
        Duration.ofSeconds(5),
        "heartbeat through A written",
        () -> {
          JsonObject s =
              b.get("/api/v1/analytics/sessions/" + id, TestNode.VIEWER_KEY).bodyAsJsonObject();
          return "paused".equals(s.getString("status")) && s.getDouble("position_seconds") == 42.0;
        });
    assertEquals(
        204, a.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
    Await.until(
        Duration.ofSeconds(5),
        "B hears the end",
        () -> endedOnB.stream().anyMatch(s -> s.getString("id").equals(id)));
    // B cached the session as open when it started it; the cluster-wide end makes it answer 409 now
    Await.until(
        Duration.ofSeconds(5),
        "B refuses heartbeats",
        () ->
            b.put("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, new JsonObject())
                    .statusCode()
                == 409);
  }
}
