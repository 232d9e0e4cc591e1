package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every error is RFC 9457 problem+json, never a stack trace. */
class ProblemResponsesTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();

  static Stream<Arguments> cases() {
    String big = "{\"user_id\":\"" + "x".repeat(70_000) + "\"}";
    return Stream.of(
        Arguments.of("unknown route", HttpMethod.GET, "/no/such/thing", null, 404),
        Arguments.of(
            "unknown API route", HttpMethod.GET, "/api/v1/analytics/nothing-here", null, 404),
        Arguments.of(
            "wrong method", HttpMethod.PATCH, "/api/v1/analytics/sessions/active", null, 405),
        Arguments.of("wrong method on health", HttpMethod.POST, "/health/live", null, 405),
        Arguments.of(
            "body over 64 KiB",
            HttpMethod.POST,
            "/api/v1/analytics/sessions",
            Buffer.buffer(big),
            413),
        Arguments.of(
            "malformed JSON",
            HttpMethod.POST,
            "/api/v1/analytics/sessions",
            Buffer.buffer("{\"user_id\": "),
            400),
        Arguments.of(
            "JSON array instead of object",
            HttpMethod.POST,
            "/api/v1/analytics/sessions",
            Buffer.buffer("[1,2]"),
            400));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void answersProblemJson(String name, HttpMethod method, String path, Buffer body, int status) {
    var r = node.send(method, path, TestNode.ADMIN_KEY, body);
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    var json = r.bodyAsJsonObject();
    assertEquals(status, json.getInteger("status"));
    assertNotNull(json.getString("type"));
    assertNotNull(json.getString("title"));
    assertNotNull(json.getString("detail"));
    assertFalse(
        r.bodyAsString().contains("Exception") || r.bodyAsString().contains("\tat "),
        "no stack trace");
  }
}
