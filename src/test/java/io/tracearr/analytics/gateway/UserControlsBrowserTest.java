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
 * The user panel ({@code webroot/user-controls.js}, issue 15) in a real browser ({@code
 * src/test/browser/user-controls.spec.mjs}): an admin edits an exemption and a threshold and adds
 * trusted devices through the UI, checked through the API.
 */
class UserControlsBrowserTest {

  @Test
  void anAdminEditsExemptionsThresholdsAndTrustedDevices() throws Exception {
    try (TestNode n = TestNode.start(new JsonObject())) {
      BrowserSpec.run(n, "user-controls.spec.mjs", Map.of());
      assertTrue(
          Files.size(Path.of("target", "user-controls.png")) > 5_000, "a screenshot was saved");
    }
  }
}
