package io.tracearr.analytics.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.JarNode;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Issue 19, F9: after a {@code kill -9} of the service, its embedded PostgreSQL lives on and holds
 * the data directory. The next start must not hang: it stops the orphan (by its PID in {@code
 * postmaster.pid}) and serves, with everything the killed service acknowledged.
 */
class OrphanedPostgresIT {

  private static final String ADMIN_KEY = "it-admin-key-0123456789";

  @Test
  void theNextStartAfterAKillStopsTheOrphanedServerAndServesTheSameData() throws Exception {
    Path jar = Path.of(System.getProperty("app.jar", "target/tracearr-analytics.jar"));
    Path work = Path.of("target", "orphan-it");
    Path dataDir = work.resolve("data").toAbsolutePath();
    Map<String, String> env = new HashMap<>();
    env.put("ANALYTICS_DATA_DIR", dataDir.toString());
    env.put("ANALYTICS_HTTP_HOST", "127.0.0.1");
    env.put("ANALYTICS_HTTP_PORT", "0");
    env.put("ANALYTICS_CLUSTER", "false");
    env.put("ANALYTICS_ADMIN_API_KEY", ADMIN_KEY);
    Vertx vertx = Vertx.vertx();
    WebClient client = TestNode.client(vertx);
    try {
      String id;
      long orphanPid;
      try (JarNode first =
          JarNode.start(
              "first", jar, env, work.resolve("first"), work.resolve("first.log"), client)) {
        first.awaitReady(1, Duration.ofSeconds(90));
        var started =
            first.send(
                HttpMethod.POST,
                "/api/v1/analytics/sessions",
                ADMIN_KEY,
                SessionBodies.start(UUID.randomUUID()));
        assertEquals(201, started.statusCode(), started.bodyAsString());
        id = started.bodyAsJsonObject().getString("id");
        first.kill();
        assertFalse(first.alive());
        orphanPid =
            OrphanedServer.runningServer(dataDir.resolve("postgres"))
                .orElseThrow(
                    () -> new AssertionError("expected the killed service's PostgreSQL to live on"))
                .pid();
      }
      long t0 = System.nanoTime();
      try (JarNode second =
          JarNode.start(
              "second", jar, env, work.resolve("second"), work.resolve("second.log"), client)) {
        second.awaitReady(1, Duration.ofSeconds(60));
        long seconds = Duration.ofNanos(System.nanoTime() - t0).toSeconds();
        assertTrue(seconds < 45, "the second start took " + seconds + " s");
        assertFalse(
            ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false),
            "the orphan still runs");
        var found =
            second.send(HttpMethod.GET, "/api/v1/analytics/sessions/" + id, ADMIN_KEY, null);
        assertEquals(200, found.statusCode(), found.bodyAsString());
        assertTrue(
            Files.readString(work.resolve("second.log")).contains("left running on"),
            "the second start says what it found and did");
      }
    } finally {
      TestNode.await(vertx.close());
    }
  }
}
