package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.RawHttp;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 19: CORS only for the origins in {@code http.cors_origins} (HttpDoorTest: none at all by
 * default).
 */
class CorsTest {

  static final String ORIGIN = "https://dash.example.com";

  @RegisterExtension
  static final NodeExtension nodes =
      NodeExtension.single(
          new JsonObject()
              .put("http", new JsonObject().put("cors_origins", new JsonArray().add(ORIGIN))));

  static final TestNode node = nodes.node();

  static RawHttp.Reply preflight(String origin) {
    return RawHttp.exchange(
        node.port(),
        "OPTIONS /api/v1/analytics/sessions HTTP/1.1\r\nHost: localhost\r\nOrigin: "
            + origin
            + "\r\nAccess-Control-Request-Method: POST\r\nAccess-Control-Request-Headers: authorization, content-type");
  }

  @Test
  void theConfiguredOriginIsAllowed() {
    var r = preflight(ORIGIN);
    assertEquals(ORIGIN, r.header("Access-Control-Allow-Origin"), r.headers().toString());
    var get =
        RawHttp.exchange(
            node.port(),
            "GET /api/v1/analytics/sessions/active HTTP/1.1\r\nHost: localhost\r\nOrigin: "
                + ORIGIN
                + "\r\nAuthorization: Bearer "
                + TestNode.VIEWER_KEY);
    assertEquals(200, get.status());
    assertEquals(ORIGIN, get.header("Access-Control-Allow-Origin"));
  }

  @Test
  void anotherOriginIsNot() {
    var r = preflight("https://evil.example");
    assertNull(r.header("Access-Control-Allow-Origin"), r.headers().toString());
    if (r.status() >= 400) assertEquals("application/problem+json", r.header("Content-Type"));
  }
}
