package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.testing.AlertFixtures;
import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.LiveClient;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.StalledDashboard;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Readers that stop reading: their session.updated frames are dropped, they are closed with 1013
 * once their queue stays full, the healthy dashboard beside them keeps receiving, and memory stays
 * bounded with 100 of them.
 */
class LiveSlowReaderTest {

  static final int QUEUE_BYTES = 32 * 1024;
  static final String PADDING = "x".repeat(4000);

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put(
                  "live",
                  new JsonObject()
                      .put("write_queue_max_bytes", QUEUE_BYTES)
                      .put("slow_reader_close_seconds", 2)));

  static final TestNode node = nodes.node();

  /**
   * Distinct sessions, so that none of these is coalesced away: every frame must be written or
   * dropped.
   */
  private static void flood(int frames) {
    var bus = node.app().vertx().eventBus();
    for (int i = 0; i < frames; i++) {
      bus.publish(
          Addresses.SESSION_UPDATED,
          new JsonObject()
              .put("id", UUID.randomUUID().toString())
              .put("user_id", UUID.randomUUID().toString())
              .put("status", "playing")
              .put("content_title", PADDING));
    }
  }

  private static String marker(LiveClient healthy) {
    JsonObject alert = AlertFixtures.geoImpossible(UUID.randomUUID());
    node.app().vertx().eventBus().publish(Addresses.ALERT_RAISED, alert);
    healthy.await("alert.raised", d -> alert.getString("id").equals(d.getString("id")));
    return alert.getString("id");
  }

  private static double slowCloses() {
    Counter c = node.app().node().prometheus().find("analytics_live_slow_reader_closes").counter();
    return c == null ? 0 : c.count();
  }

  private static double droppedUpdates() {
    Counter c =
        node.app()
            .node()
            .prometheus()
            .find("analytics_live_frames_dropped")
            .tag("type", "session.updated")
            .counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void aStalledReaderIsClosedWith1013WhileAHealthyOneKeepsReceiving() {
    double closesBefore = slowCloses();
    double droppedBefore = droppedUpdates();
    try (LiveClient healthy =
            LiveClient.connect(
                node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY);
        LiveClient stalled =
            TestNode.await(
                LiveClient.open(
                    node.clientVertx(),
                    node.port(),
                    "/api/v1/live",
                    TestNode.VIEWER_KEY,
                    new WebSocketClientOptions().setReceiveBufferSize(4096)))) {
      healthy.await("snapshot");
      stalled.await("snapshot");
      stalled.socket().pause();

      flood(3000);
      marker(healthy);
      Await.until(
          Duration.ofSeconds(30),
          "the stalled reader closed for reading too slowly",
          () -> slowCloses() >= closesBefore + 1);
      assertTrue(
          droppedUpdates() > droppedBefore,
          "session.updated frames were dropped for the stalled reader");

      stalled.socket().resume();
      assertEquals((short) 1013, stalled.awaitClose(Duration.ofSeconds(20)));

      marker(healthy);
      assertFalse(healthy.isClosed());
      Await.until(
          Duration.ofSeconds(10),
          "only the healthy dashboard is left",
          () -> node.app().node().metrics().liveConnections.get() == 1);
    }
  }

  @Test
  void memoryStaysBoundedWithAHundredReadersThatNeverRead() throws Exception {
    double closesBefore = slowCloses();
    long baseline = usedMemory();
    List<Socket> stalled = new ArrayList<>();
    try (LiveClient healthy =
        LiveClient.connect(node.clientVertx(), node.port(), "/api/v1/live", TestNode.VIEWER_KEY)) {
      healthy.await("snapshot");
      for (int i = 0; i < 100; i++) stalled.add(StalledDashboard.open(node));
      Await.until(
          Duration.ofSeconds(20),
          "101 dashboards connected",
          () -> node.app().node().metrics().liveConnections.get() == 101);

      // 3 000 frames of 4 kB: 12 MB per reader, 1.2 GB for 100 if anything buffered them without
      // bound
      flood(3000);
      marker(healthy);
      long peak = usedMemory();
      System.out.printf(
          "memory: baseline %d MB, after the flood with 100 stalled readers %d MB%n",
          baseline >> 20, peak >> 20);
      assertTrue(
          peak - baseline < 150L << 20,
          "memory grew by " + ((peak - baseline) >> 20) + " MB with 100 stalled readers");

      // a reader is judged when something is to be written to it: keep the node busy until all are
      // gone
      try {
        Await.until(
            Duration.ofSeconds(60),
            "every stalled reader closed",
            () -> {
              flood(50);
              return slowCloses() >= closesBefore + 100
                  && node.app().node().metrics().liveConnections.get() == 1;
            });
      } catch (AssertionError e) {
        throw new AssertionError(
            e.getMessage()
                + ": "
                + (slowCloses() - closesBefore)
                + " closed for reading slowly, "
                + node.app().node().metrics().liveConnections.get()
                + " connections left",
            e);
      }
      marker(healthy);
      assertFalse(healthy.isClosed());
    } finally {
      for (Socket s : stalled) s.close();
    }
  }

  /** Heap in use after a collection, plus direct buffers (where Netty keeps queued writes). */
  private static long usedMemory() {
    for (int i = 0; i < 3; i++) System.gc();
    long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    long direct = 0;
    for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
      if ("direct".equals(pool.getName())) direct = pool.getMemoryUsed();
    }
    long nettyDirect = io.netty.util.internal.PlatformDependent.usedDirectMemory();
    System.out.printf(
        "heap %d MB, direct buffers %d MB, netty direct %d MB%n",
        heap >> 20, direct >> 20, nettyDirect < 0 ? -1 : nettyDirect >> 20);
    return heap + Math.max(direct, Math.max(0, nettyDirect));
  }
}
