package io.tracearr.analytics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A node boots on a real PostgreSQL (the URL path) and reports itself live and ready. */
class BootTest {

  static TestNode node;

  @BeforeAll
  static void boot() {
    node = TestNode.start();
  }

  @AfterAll
  static void stop() {
    node.close();
  }

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
}
