package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.RawHttp;
import io.tracearr.analytics.testing.TestNode;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19 F5: bad percent-encoding in the path or query was a 500 (the router's decoding threw),
 * or a plain-text 400 from Vert.x before the router. Every one is a problem+json 400.
 */
class PercentEncodingTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  static Stream<Arguments> cases() {
    String user = UUID.randomUUID().toString();
    return Stream.of(
        Arguments.of("GET", "/api/v1/analytics/sessions/%zz"),
        Arguments.of("GET", "/api/v1/analytics/sessions/%"),
        Arguments.of("PUT", "/api/v1/analytics/sessions/%zz"),
        Arguments.of("DELETE", "/api/v1/analytics/sessions/%E0%A4%A"),
        Arguments.of("GET", "/api/v1/analytics/sessions/user/" + user + "?limit=%zz"),
        Arguments.of("GET", "/api/v1/analytics/sessions/user/" + user + "?limit=%"),
        Arguments.of("GET", "/api/v1/analytics/sessions/active?user_id=%"),
        Arguments.of("GET", "/api/v1/analytics/sharing/alerts?status=%g1"),
        Arguments.of("GET", "/api/v1/analytics/stats/daily?start=%&end=2026-01-01"),
        Arguments.of("GET", "/api/v1/analytics/popular?%zz=1"),
        Arguments.of("GET", "/api/v1/%zz"),
        Arguments.of("GET", "/%zz"),
        Arguments.of("GET", "/%"),
        Arguments.of("GET", "/api/v1/live?access_token=%zz"),
        Arguments.of("GET", "/api/v1/ingest?access_token=%"));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("cases")
  void badEncodingIsAProblemJson400(String method, String target) {
    var r =
        RawHttp.exchange(
            node.port(),
            method
                + " "
                + target
                + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Authorization: Bearer "
                + TestNode.ADMIN_KEY
                + "\r\nContent-Length: 0");
    assertEquals(400, r.status(), r.body());
    assertEquals("application/problem+json", r.header("Content-Type"), r.body());
    assertEquals(400, r.json().getInteger("status"));
    assertNotNull(r.json().getString("detail"));
  }
}
