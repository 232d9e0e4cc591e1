package io.tracearr.analytics.enforce;

import io.tracearr.analytics.testing.BrowserSpec;
import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 15 part A in a real browser ({@code src/test/browser/enforce.spec.mjs}): terminate a
 * session from its row and see the outcome, then the entry in the audit view.
 */
class EnforceBrowserTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single(new JsonObject());
  static final TestNode node = nodes.node();

  @Test
  void anAdminTerminatesASessionFromTheDashboardAndSeesTheOutcome() throws Exception {
    BrowserSpec.run(node, "enforce.spec.mjs", Map.of());
  }
}
