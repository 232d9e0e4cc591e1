package io.tracearr.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.Await;
import io.tracearr.analytics.testing.JarNode;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The real process on its embedded PostgreSQL: SIGTERM flushes buffered heartbeats, stops the
 * database and exits 0; the next start finds everything that was acknowledged.
 */
class SigtermTest {

  static final String KEY = "sigterm-admin-key-0123456789";

  @Test
  void sigtermFlushesHeartbeatsStopsPostgresAndExitsZero() throws Exception {
    Path dir = TestNode.tempDir();
    // the longest allowed flush interval, so the heartbeat below is still buffered when SIGTERM
    // arrives
    Path yaml = dir.resolve("app.yaml");
    Files.writeString(yaml, "sessions:\n  heartbeat_flush_ms: 1000\n");
    Vertx vertx = Vertx.vertx();
    WebClient client = TestNode.client(vertx);
    try {
      Process first = launch(dir, yaml);
      int port = waitReady(client, first, dir);
      var started =
          TestNode.await(
              client
                  .post(port, "127.0.0.1", "/api/v1/analytics/sessions")
                  .bearerTokenAuthentication(KEY)
                  .sendJsonObject(SessionBodies.start(UUID.randomUUID())));
      assertEquals(201, started.statusCode());
      String id = started.bodyAsJsonObject().getString("id");
      var hb =
          TestNode.await(
              client
                  .put(port, "127.0.0.1", "/api/v1/analytics/sessions/" + id)
                  .bearerTokenAuthentication(KEY)
                  .sendJsonObject(
                      new JsonObject().put("position_seconds", 77).put("status", "paused")));
      assertEquals(204, hb.statusCode());
      first.destroy(); // SIGTERM
      assertTrue(first.waitFor(60, TimeUnit.SECONDS), "exits");
      assertEquals(0, first.exitValue(), "a clean stop exits 0");
      assertFalse(
          Files.exists(dir.resolve("data/postgres/postmaster.pid")), "embedded PostgreSQL stopped");

      Process second = launch(dir, yaml);
      try {
        port = waitReady(client, second, dir);
        JsonObject s =
            TestNode.await(
                    client
                        .get(port, "127.0.0.1", "/api/v1/analytics/sessions/" + id)
                        .bearerTokenAuthentication(KEY)
                        .send())
                .bodyAsJsonObject();
        assertEquals(
            77.0,
            s.getDouble("position_seconds"),
            "the buffered heartbeat was written at shutdown");
        assertEquals("paused", s.getString("status"));
      } finally {
        second.destroy();
        second.waitFor(60, TimeUnit.SECONDS);
      }
    } finally {
      client.close();
      vertx.close();
    }
  }

  private static Process launch(Path dir, Path yaml) throws Exception {
    ProcessBuilder pb =
        new ProcessBuilder(
                List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    "io.tracearr.analytics.Application"))
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("node.log").toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("ANALYTICS_"));
    pb.environment().put("ANALYTICS_CONFIG", yaml.toString());
    pb.environment().put("ANALYTICS_DATA_DIR", dir.resolve("data").toString());
    pb.environment().put("ANALYTICS_HTTP_PORT", "0");
    pb.environment().put("ANALYTICS_ADMIN_API_KEY", KEY);
    return pb.start();
  }

  /** The port the node got (it logs it once it serves), after /health/ready says 200. */
  private static int waitReady(WebClient client, Process p, Path dir) {
    int port = JarNode.awaitServingPort(p, dir.resolve("node.log"), Duration.ofSeconds(90));
    Await.until(
        Duration.ofSeconds(90),
        "node ready",
        () -> {
          if (!p.isAlive()) throw new AssertionError("node died, exit " + p.exitValue());
          try {
            return TestNode.await(client.get(port, "127.0.0.1", "/health/ready").send())
                    .statusCode()
                == 200;
          } catch (RuntimeException e) {
            return false;
          }
        });
    return port;
  }
}
