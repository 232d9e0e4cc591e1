package io.tracearr.analytics.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.BrowserSpec;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Settings → Notifications in a real browser ({@code src/test/browser/notifications.spec.mjs}): add
 * a webhook channel through the form, test it, edit it without re-typing the secret, see a failed
 * delivery in the log and send it again, remove the channel. The receiver is a real HTTP server in
 * the spec; alerts come from the real detector.
 */
class NotificationsBrowserTest {

  @Test
  void addTestEditResendAndRemoveAChannelFromTheDashboard() throws Exception {
    JsonObject oneAttempt =
        new JsonObject().put("notifications", new JsonObject().put("max_attempts", 1));
    try (TestNode n = TestNode.start(oneAttempt)) {
      BrowserSpec.run(n, "notifications.spec.mjs", Map.of());
      assertEquals(
          0, n.count("SELECT count(*) FROM notification_channels WHERE name LIKE 'Browser hook%'"));
    }
  }
}
