package io.tracearr.analytics.db;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.Application;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.config.ConfigLoader;
import io.tracearr.analytics.gateway.auth.AdminKeyFile;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * No database configured: the node starts its own PostgreSQL in the data directory, generates an
 * admin key (mode 600), and a second start reuses both.
 */
class EmbeddedDefaultTest {

  @Test
  void startsEmbeddedPostgresAndKeepsDataAcrossRestarts() throws Exception {
    Path dataDir = TestNode.tempDir();
    JsonObject cfg = TestNode.defaults();
    cfg.getJsonObject("http").put("port", 0).put("host", "127.0.0.1");
    AppConfig config = ConfigLoader.build(cfg, Map.of("ANALYTICS_DATA_DIR", dataDir.toString()));
    assertTrue(config.database().embedded());

    Vertx vertx = Vertx.vertx();
    WebClient client = TestNode.client(vertx);
    String sessionId;
    String key;
    Application first = Application.start(config);
    try {
      Path keyFile = dataDir.resolve(AdminKeyFile.FILE_NAME);
      assertEquals(
          "rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(keyFile)));
      key = Files.readString(keyFile).trim();
      assertEquals(
          200,
          TestNode.await(client.get(first.httpPort(), "127.0.0.1", "/health/ready").send())
              .statusCode());
      var r =
          TestNode.await(
              client
                  .post(first.httpPort(), "127.0.0.1", "/api/v1/analytics/sessions")
                  .bearerTokenAuthentication(key)
                  .sendJsonObject(SessionBodies.start(UUID.randomUUID())));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      sessionId = r.bodyAsJsonObject().getString("id");
      assertTrue(Files.exists(dataDir.resolve("postgres").resolve("PG_VERSION")));
      // issue 19, F8: an acknowledged start survives a power loss too (zonky's default is fsync
      // off)
      assertEquals(
          "on",
          TestNode.await(first.node().pool().query("SHOW fsync").execute())
              .iterator()
              .next()
              .getString(0));
      assertEquals(
          "on",
          TestNode.await(first.node().pool().query("SHOW synchronous_commit").execute())
              .iterator()
              .next()
              .getString(0));
    } finally {
      first.stop();
    }

    Application second = Application.start(config);
    try {
      var r =
          TestNode.await(
              client
                  .get(second.httpPort(), "127.0.0.1", "/api/v1/analytics/sessions/" + sessionId)
                  .bearerTokenAuthentication(key)
                  .send());
      assertEquals(200, r.statusCode(), "the same key and the same data: " + r.bodyAsString());
    } finally {
      second.stop();
      client.close();
      vertx.close();
    }
  }
}
