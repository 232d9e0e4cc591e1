package io.tracearr.analytics.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.DatabaseUrl;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestDatabase;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Two clustered nodes in one JVM, one database: the event bus spans them and either serves any session. */
class TwoNodeClusterTest {

  static TestNode a;
  static TestNode b;

  @BeforeAll
  static void boot() {
    DatabaseUrl db = TestDatabase.fresh();
    JsonObject cluster = TestNode.clusterOf("test");
    a = TestNode.start(db, cluster);
    b = TestNode.start(db, cluster.copy());
    TestNode.eventually(Duration.ofSeconds(30), "two members", () -> a.app().node().clusterMembers() == 2);
  }

  @AfterAll
  static void stop() {
    b.close();
    a.close();
  }

  @Test
  void messagePublishedOnOneNodeReachesTheOther() {
    List<String> received = new CopyOnWriteArrayList<>();
    TestNode.await(b.app().vertx().eventBus().<String>consumer("test.cluster.ping", m -> received.add(m.body())).completion());
    TestNode.eventually(Duration.ofSeconds(10), "B receives A's publication", () -> {
      a.app().vertx().eventBus().publish("test.cluster.ping", "hello from A");
      return !received.isEmpty();
    });
    assertEquals("hello from A", received.get(0));
    var ready = b.get("/health/ready", null).bodyAsJsonObject();
    assertEquals(2, ready.getJsonObject("checks").getJsonObject("cluster").getInteger("members"));
  }

  @Test
  void sessionStartedOnBGetsHeartbeatsAndEndOnA() {
    List<JsonObject> endedOnB = new CopyOnWriteArrayList<>();
    TestNode.await(b.app().vertx().eventBus().<JsonObject>consumer(Addresses.SESSION_ENDED, m -> endedOnB.add(m.body())).completion());
    var started = b.post("/api/v1/analytics/sessions", TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()));
    assertEquals(201, started.statusCode());
    String id = started.bodyAsJsonObject().getString("id");
    var hb = a.put("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, new JsonObject().put("status", "paused").put("position_seconds", 42));
    assertEquals(204, hb.statusCode(), hb.bodyAsString());
    TestNode.eventually(Duration.ofSeconds(5), "heartbeat through A written", () -> {
      JsonObject s = b.get("/api/v1/analytics/sessions/" + id, TestNode.VIEWER_KEY).bodyAsJsonObject();
      return "paused".equals(s.getString("status")) && s.getDouble("position_seconds") == 42.0;
    });
    assertEquals(204, a.delete("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, null).statusCode());
    TestNode.eventually(Duration.ofSeconds(5), "B hears the end", () -> endedOnB.stream().anyMatch(s -> s.getString("id").equals(id)));
    // B cached the session as open when it started it; the cluster-wide end makes it answer 409 now
    TestNode.eventually(Duration.ofSeconds(5), "B refuses heartbeats", () ->
        b.put("/api/v1/analytics/sessions/" + id, TestNode.INGEST_KEY, new JsonObject()).statusCode() == 409);
  }
}
