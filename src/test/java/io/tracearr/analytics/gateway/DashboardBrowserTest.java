package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.BrowserSpec;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The dashboard in a real browser ({@code src/test/browser/dashboard.spec.mjs}) against a real node
 * with the GeoIP fixture, so the sharing alert it shows comes from the real detector.
 */
class DashboardBrowserTest {

  @Test
  void signInWatchSessionsAndAlertsArriveDismissAndSeeTheChart() throws Exception {
    JsonObject withGeoIp =
        new JsonObject()
            .put(
                "analytics",
                new JsonObject()
                    .put(
                        "geoip_db_path",
                        Path.of("src", "test", "resources", "geoip", "GeoIP2-City-Test.mmdb")
                            .toAbsolutePath()
                            .toString()));
    try (TestNode n = TestNode.start(withGeoIp)) {
      BrowserSpec.run(n, "dashboard.spec.mjs", Map.of());
      assertTrue(Files.size(Path.of("target", "dashboard.png")) > 10_000, "a screenshot was saved");
    }
  }
}
