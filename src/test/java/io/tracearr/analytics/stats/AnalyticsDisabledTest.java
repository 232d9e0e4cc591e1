package io.tracearr.analytics.stats;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** analytics.enabled false: the stats endpoints answer 503 problem+json. */
class AnalyticsDisabledTest {

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject().put("analytics", new JsonObject().put("enabled", false)));

  static final TestNode node = nodes.node();

  @Test
  void statsEndpointsAreUnavailable() {
    LocalDate today = LocalDate.now(ZoneOffset.UTC);
    for (String path :
        List.of(
            "/api/v1/analytics/stats/summary",
            "/api/v1/analytics/popular",
            "/api/v1/analytics/stats/daily?start=" + today + "&end=" + today,
            "/api/v1/analytics/stats/concurrency?start=" + today + "&end=" + today)) {
      var res = node.get(path, TestNode.VIEWER_KEY);
      assertEquals(503, res.statusCode(), path);
      assertEquals("application/problem+json", res.getHeader("Content-Type"), path);
    }
  }
}
