package io.tracearr.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A node boots on an external PostgreSQL given by URL (the test JVM's own server: a second
 * PostgreSQL besides the embedded default, which EmbeddedDefaultTest covers) and reports itself
 * live and ready.
 */
class BootTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  @Test
  void liveAndReadyWithEveryCheckUp() {
    var live = node.get("/health/live", null);
    assertEquals(200, live.statusCode());
    var ready = node.get("/health/ready", null);
    assertEquals(200, ready.statusCode(), ready.bodyAsString());
    JsonObject checks = ready.bodyAsJsonObject().getJsonObject("checks");
    assertEquals("up", checks.getString("database"));
    assertEquals("deployed", checks.getString("verticles"));
    assertEquals(1, checks.getJsonObject("cluster").getInteger("members"));
  }

  @Test
  void servesItsOpenApiContract() {
    var r = node.get("/api/v1/openapi.yaml", null);
    assertEquals(200, r.statusCode());
    assertEquals("application/yaml", r.getHeader("Content-Type"));
    org.junit.jupiter.api.Assertions.assertTrue(r.bodyAsString().startsWith("openapi: 3.1.0"));
    org.junit.jupiter.api.Assertions.assertTrue(
        r.bodyAsString().contains("operationId: heartbeatSession"));
  }
}
