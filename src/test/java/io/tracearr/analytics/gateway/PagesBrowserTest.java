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
 * Every page of the dashboard in a real browser ({@code src/test/browser/pages.spec.mjs}) with
 * seeded sessions and alerts: what was seeded shows, an Overview figure changes without reload,
 * screenshots at 1400×900 and 390×844, no sideways page scroll, and axe-core finds no serious or
 * critical violation.
 */
class PagesBrowserTest {

  @Test
  void everyPageShowsTheSeededDataAndPassesAxe() throws Exception {
    JsonObject overrides =
        new JsonObject()
            .put(
                "analytics",
                new JsonObject()
                    // every seeded session counts as a play, and today's roll-up follows within 1 s
                    .put("min_play_seconds", 0)
                    .put("rollup_interval_seconds", 1)
                    .put(
                        "geoip_db_path",
                        Path.of("src", "test", "resources", "geoip", "GeoIP2-City-Test.mmdb")
                            .toAbsolutePath()
                            .toString()));
    try (TestNode n = TestNode.start(overrides)) {
      BrowserSpec.run(n, "pages.spec.mjs", Map.of());
      for (String page :
          new String[] {
            "overview",
            "history",
            "users",
            "user",
            "content",
            "statistics",
            "map",
            "alerts",
            "settings",
            "api"
          }) {
        for (String size : new String[] {"1400x900", "390x844"}) {
          Path shot = Path.of("target", "screenshots", page + "-" + size + ".png");
          assertTrue(Files.size(shot) > 5_000, "a screenshot of " + shot);
        }
      }
    }
  }
}
