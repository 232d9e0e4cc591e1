package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * More than auth.failed_auth_per_minute wrong tokens from one address: 429 with Retry-After, even
 * for a good token.
 */
class AuthRateLimitTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  @Test
  void theTwentyFirstBadTokenIs429AndSoIsAGoodOneUntilTheWindowEnds() {
    // a missing token is not a guess: it does not count
    for (int i = 0; i < 30; i++)
      assertEquals(401, node.get("/api/v1/analytics/sessions", null).statusCode());
    for (int i = 0; i < 20; i++) {
      assertEquals(
          401,
          node.get("/api/v1/analytics/sessions", "wrong-token-" + i).statusCode(),
          "attempt " + (i + 1));
    }
    var limited = node.get("/api/v1/analytics/sessions", "wrong-token-21");
    assertEquals(429, limited.statusCode(), limited.bodyAsString());
    assertTrue(limited.getHeader("Content-Type").startsWith("application/problem+json"));
    assertNotNull(limited.getHeader("Retry-After"));
    long retryAfter = Long.parseLong(limited.getHeader("Retry-After"));
    assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
    assertEquals(429, limited.bodyAsJsonObject().getInteger("status"));

    var good = node.get("/api/v1/analytics/sessions", TestNode.ADMIN_KEY);
    assertEquals(429, good.statusCode(), "a correct token is refused too while the window lasts");
    assertNotNull(good.getHeader("Retry-After"));

    String scrape = node.app().node().prometheus().scrape();
    assertTrue(
        scrape
            .lines()
            .anyMatch(
                l -> l.startsWith("analytics_auth_rate_limited_total") && !l.endsWith(" 0.0")),
        scrape);
  }
}
