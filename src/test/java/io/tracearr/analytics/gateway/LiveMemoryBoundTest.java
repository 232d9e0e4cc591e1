package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.gateway.live.LiveMemory;
import io.tracearr.analytics.testing.AlertFixtures;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.StalledDashboard;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 18, scenario 7 at a JVM's scale: the worst case for the dashboard path's memory — many
 * dashboards that never read, each owed a snapshot of every open session, while heartbeats pour in
 * and every session's update is due — with the node's limits scaled down so that the same bounds
 * bind in seconds. The bytes queued to dashboards stay within {@code live.queued_bytes_max} (plus
 * one snapshot and each socket's last frame), stalled dashboards are closed and resync, the healthy
 * one keeps receiving, and every heartbeat is answered 204 throughout.
 */
class LiveMemoryBoundTest {

  static final int BUDGET = 1024 * 1024;
  static final int SESSIONS = 300;
  static final int STALLED = 30;
  static final String TITLE = "t".repeat(290);

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "live",
                  new JsonObject()
                      .put("queued_bytes_max", BUDGET)
                      .put("write_queue_max_bytes", 64 * 1024)
                      .put("slow_reader_close_seconds", 1)
                      .put("snapshot_backlog_max", 50)
                      .put("updated_waiting_max", 200)
                      .put("updated_min_interval_ms", 0))
              .put("sessions", new JsonObject().put("updated_held_max", 100)));

  static final TestNode node = nodes.node();

  private static double counter(String name) {
    Counter c = node.app().node().prometheus().find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static LiveMemory memory() {
    // the node's own budget (created by its hubs; the arguments only apply to a new one)
    return LiveMemory.forNode(node.app().vertx(), BUDGET, null);
  }

  @Test
  void stalledDashboardsAndAHeartbeatFloodStayWithinTheNodesBudget() throws Exception {
    List<String> ids = startSessions();
    double closesBefore = counter("analytics_live_slow_reader_closes");
    List<Socket> stalled = new ArrayList<>();
    try (LiveClient healthy =
        LiveClient.connect(node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      JsonObject snapshot = healthy.await("snapshot");
      int snapshotBytes = snapshot.encode().length();
      assertTrue(snapshotBytes > 100_000, "a snapshot of " + snapshotBytes + " bytes");
      // each of these is owed that snapshot: 40 × it is several times the budget
      for (int i = 0; i < STALLED; i++) stalled.add(StalledDashboard.open(node));
      Await.until(
          Duration.ofSeconds(20),
          "every dashboard connected",
          () -> node.app().node().metrics().liveConnections.get() >= STALLED + 1);

      // the heartbeat flood: 3 000 heartbeats, 64 in flight, each session's update due every time
      int answered204 = heartbeats(ids, 3_000, 64);
      assertEquals(3_000, answered204, "every heartbeat answered 204 while the dashboards stalled");

      Await.until(
          Duration.ofSeconds(30),
          "stalled dashboards closed for reading too slowly",
          () -> {
            flood(20);
            return counter("analytics_live_slow_reader_closes") >= closesBefore + 5;
          });
      long peak = memory().peakQueued();
      System.out.printf(
          "live memory: budget %d B, peak queued %d B, snapshot %d B, %d stalled sockets%n",
          BUDGET, peak, snapshotBytes, STALLED);
      // unbounded, the stalled sockets alone would hold 30 snapshots (> 12 MB)
      assertTrue(
          peak <= 2L * BUDGET + snapshotBytes,
          "bytes queued to dashboards peaked at " + peak + " for a budget of " + BUDGET);
      assertTrue(
          counter("analytics_live_frames_dropped") > 0,
          "updates dropped rather than queued for the stalled sockets");

      String alert = marker(healthy);
      assertFalse(healthy.isClosed(), "the healthy dashboard stayed connected (" + alert + ")");
    } finally {
      for (Socket s : stalled) s.close();
    }
    Await.until(
        Duration.ofSeconds(20),
        "the stalled sockets' bytes released",
        () -> memory().queued() < BUDGET / 4);
  }

  /** Sessions with long titles, so that the snapshot weighs what a large node's does. */
  private static List<String> startSessions() {
    WebClient client = node.client();
    List<Future<HttpResponse<Buffer>>> sent = new ArrayList<>();
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SESSIONS; i++) {
      String id = UUID.randomUUID().toString();
      ids.add(id);
      sent.add(
          client
              .post(node.port(), "127.0.0.1", "/api/v1/analytics/sessions")
              .bearerTokenAuthentication(TestNode.INGEST_KEY)
              .sendJsonObject(
                  SessionBodies.start(UUID.randomUUID())
                      .put("id", id)
                      .put("content_title", TITLE + i)));
    }
    for (Future<HttpResponse<Buffer>> f : sent) assertEquals(201, TestNode.await(f).statusCode());
    return ids;
  }

  /** {@code total} heartbeats round-robin over the sessions, {@code inFlight} at a time. */
  private static int heartbeats(List<String> ids, int total, int inFlight) {
    WebClient client = node.client();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger ok = new AtomicInteger();
    Promise<Void> done = Promise.promise();
    AtomicInteger finished = new AtomicInteger();
    Buffer body = new JsonObject().put("status", "playing").put("position_seconds", 60).toBuffer();
    Runnable[] send = new Runnable[1];
    send[0] =
        () -> {
          int n = next.getAndIncrement();
          if (n >= total) return;
          client
              .put(
                  node.port(), "127.0.0.1", "/api/v1/analytics/sessions/" + ids.get(n % ids.size()))
              .bearerTokenAuthentication(TestNode.INGEST_KEY)
              .putHeader("Content-Type", "application/json")
              .sendBuffer(body)
              .onComplete(
                  ar -> {
                    if (ar.succeeded() && ar.result().statusCode() == 204) ok.incrementAndGet();
                    if (finished.incrementAndGet() == total) done.tryComplete();
                    else send[0].run();
                  });
        };
    node.clientVertx()
        .runOnContext(
            v -> {
              for (int i = 0; i < inFlight; i++) send[0].run();
            });
    TestNode.await(done.future());
    return ok.get();
  }

  /** Updates of distinct sessions: none coalesced away, each must be sent, held or dropped. */
  private static void flood(int frames) {
    var bus = node.app().vertx().eventBus();
    for (int i = 0; i < frames; i++) {
      bus.publish(
          Addresses.SESSION_UPDATED,
          new JsonObject()
              .put("id", UUID.randomUUID().toString())
              .put("user_id", UUID.randomUUID().toString())
              .put("status", "playing")
              .put("content_title", TITLE));
    }
  }

  private static String marker(LiveClient healthy) {
    JsonObject alert = AlertFixtures.geoImpossible(UUID.randomUUID());
    node.app().vertx().eventBus().publish(Addresses.ALERT_RAISED, alert);
    healthy.await("alert.raised", d -> alert.getString("id").equals(d.getString("id")));
    return alert.getString("id");
  }
}
