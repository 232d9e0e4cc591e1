package io.tracearr.analytics.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19, F1: one heartbeat PostgreSQL cannot store must not stop a node from writing every other
 * one. A batch that fails for a data error is split until the offending session is alone; its
 * heartbeats are dropped and logged, the rest is written; a node whose writes keep failing says so
 * in /health/ready.
 */
class HeartbeatIsolationTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject().put("sessions", new JsonObject().put("heartbeat_flush_ms", 100)));

  static final TestNode node = nodes.node();

  /** The reported case: a NUL in a heartbeat's text among 100 good heartbeats. */
  @Test
  void aNulHeartbeatAmongAHundredGoodOnesLeavesEveryGoodOneWritten() {
    List<String> good = startSessions(100);
    String bad = startSessions(1).get(0);
    for (int i = 0; i < good.size(); i++) {
      if (i == 50) {
        int status =
            node.put(
                    "/api/v1/analytics/sessions/" + bad,
                    TestNode.INGEST_KEY,
                    new JsonObject().put("position_seconds", 7).put("resolution", "a\u0000b"))
                .statusCode();
        // refused at the door (400), or accepted and isolated by the flush: never a node that stops
        // writing
        assertTrue(status == 400 || status == 204, "NUL heartbeat answered " + status);
      }
      assertEquals(
          204,
          node.put(
                  "/api/v1/analytics/sessions/" + good.get(i),
                  TestNode.INGEST_KEY,
                  new JsonObject().put("position_seconds", 1000 + i))
              .statusCode());
    }
    Await.until(
        Duration.ofSeconds(10),
        "every good heartbeat written",
        () -> writtenPositions(good) == 100);
    assertEquals(
        204,
        node.delete("/api/v1/analytics/sessions/" + bad, TestNode.INGEST_KEY, null).statusCode());
    assertEquals(
        204,
        node.delete("/api/v1/analytics/sessions/" + good.get(0), TestNode.INGEST_KEY, null)
            .statusCode());
    assertEquals(200, node.get("/health/ready", null).statusCode());
  }

  /**
   * The mechanism, whatever the door lets through: a value the database refuses (a trigger plays
   * PostgreSQL).
   */
  @Test
  void aRowTheDatabaseRefusesIsDroppedAndTheRestOfItsBatchIsWritten() {
    node.sql(
        """
        CREATE OR REPLACE FUNCTION refuse_poison() RETURNS trigger AS $$
        BEGIN
          IF NEW.resolution = 'poison' THEN RAISE EXCEPTION 'poisoned value' USING ERRCODE = '22023'; END IF;
          RETURN NEW;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER refuse_poison BEFORE UPDATE ON playback_sessions FOR EACH ROW EXECUTE FUNCTION refuse_poison();""");
    try {
      List<String> good = startSessions(100);
      String poisoned = startSessions(1).get(0);
      double droppedBefore = dropped();
      for (int i = 0; i < good.size(); i++) {
        if (i == 30) {
          assertEquals(
              204,
              node.put(
                      "/api/v1/analytics/sessions/" + poisoned,
                      TestNode.INGEST_KEY,
                      new JsonObject().put("position_seconds", 5).put("resolution", "poison"))
                  .statusCode());
        }
        assertEquals(
            204,
            node.put(
                    "/api/v1/analytics/sessions/" + good.get(i),
                    TestNode.INGEST_KEY,
                    new JsonObject().put("position_seconds", 2000 + i))
                .statusCode());
      }
      Await.until(
          Duration.ofSeconds(10),
          "every good heartbeat written",
          () -> writtenPositions(good, 2000) == 100);
      Await.until(
          Duration.ofSeconds(10),
          "the poisoned heartbeat dropped and counted",
          () -> dropped() >= droppedBefore + 1);
      assertEquals(
          0,
          node.count(
              "SELECT count(*) FROM playback_sessions WHERE id = '"
                  + poisoned
                  + "' AND position_seconds = 5"));
      // the session itself goes on: its next good heartbeat is written
      assertEquals(
          204,
          node.put(
                  "/api/v1/analytics/sessions/" + poisoned,
                  TestNode.INGEST_KEY,
                  new JsonObject().put("position_seconds", 9))
              .statusCode());
      Await.until(
          Duration.ofSeconds(10),
          "the next heartbeat of that session written",
          () ->
              node.count(
                      "SELECT count(*) FROM playback_sessions WHERE id = '"
                          + poisoned
                          + "' AND position_seconds = 9")
                  == 1);
      assertEquals(200, node.get("/health/ready", null).statusCode());
    } finally {
      node.sql("DROP TRIGGER refuse_poison ON playback_sessions; DROP FUNCTION refuse_poison();");
    }
  }

  /**
   * Writes that keep failing for another reason are kept (nothing acknowledged is lost) and make
   * the node unready.
   */
  @Test
  void writesThatKeepFailingMakeTheNodeUnreadyUntilTheyRecover() {
    String id = startSessions(1).get(0);
    node.sql(
        """
        CREATE OR REPLACE FUNCTION jam() RETURNS trigger AS $$
        BEGIN RAISE EXCEPTION 'jammed' USING ERRCODE = '57014'; END $$ LANGUAGE plpgsql;
        CREATE TRIGGER jam BEFORE UPDATE ON playback_sessions FOR EACH ROW EXECUTE FUNCTION jam();""");
    boolean dropped = false;
    try {
      assertEquals(
          204,
          node.put(
                  "/api/v1/analytics/sessions/" + id,
                  TestNode.INGEST_KEY,
                  new JsonObject().put("position_seconds", 321))
              .statusCode());
      Await.until(
          Duration.ofSeconds(15),
          "readiness says heartbeat writes are failing",
          () -> {
            var res = node.get("/health/ready", null);
            Object writes =
                res.bodyAsJsonObject().getJsonObject("checks").getValue("heartbeat_writes");
            return res.statusCode() == 503
                && writes instanceof JsonObject w
                && "failing".equals(w.getString("status"));
          });
      assertTrue(
          node.get("/metrics", null)
              .bodyAsString()
              .contains("analytics_heartbeat_writes_failing 1.0"));
      node.sql("DROP TRIGGER jam ON playback_sessions; DROP FUNCTION jam();");
      dropped = true;
      Await.until(
          Duration.ofSeconds(15),
          "the kept heartbeat written after recovery",
          () ->
              node.count(
                      "SELECT count(*) FROM playback_sessions WHERE id = '"
                          + id
                          + "' AND position_seconds = 321")
                  == 1);
      Await.until(
          Duration.ofSeconds(10),
          "ready again",
          () -> node.get("/health/ready", null).statusCode() == 200);
    } finally {
      if (!dropped) node.sql("DROP TRIGGER jam ON playback_sessions; DROP FUNCTION jam();");
    }
  }

  private static List<String> startSessions(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      var res =
          node.post(
              "/api/v1/analytics/sessions",
              TestNode.INGEST_KEY,
              SessionBodies.start(UUID.randomUUID()));
      assertEquals(201, res.statusCode(), res.bodyAsString());
      ids.add(res.bodyAsJsonObject().getString("id"));
    }
    return ids;
  }

  private static long writtenPositions(List<String> ids) {
    return writtenPositions(ids, 1000);
  }

  private static long writtenPositions(List<String> ids, int base) {
    StringBuilder values = new StringBuilder();
    for (int i = 0; i < ids.size(); i++) {
      if (i > 0) values.append(',');
      values.append("('").append(ids.get(i)).append("'::uuid,").append(base + i).append(')');
    }
    return node.count(
        "SELECT count(*) FROM playback_sessions s JOIN (VALUES "
            + values
            + ") v(id, pos) ON s.id = v.id AND s.position_seconds = v.pos");
  }

  private static double dropped() {
    for (String line : node.get("/metrics", null).bodyAsString().split("\n")) {
      if (line.startsWith("analytics_heartbeats_dropped_total "))
        return Double.parseDouble(line.substring(line.indexOf(' ') + 1));
    }
    return 0;
  }
}
