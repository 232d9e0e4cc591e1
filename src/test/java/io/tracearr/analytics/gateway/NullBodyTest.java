package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19 F4: a body of JSON {@code null} reached SessionInput as a null object (NPE in the
 * registry, no reply, a 10 s wait, then 503). Any body that is valid JSON but not an object is 400
 * {@code body: must be a JSON object}.
 */
class NullBodyTest {

  static final String API = "/api/v1/analytics/sessions";
  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();
  static String openId;

  @BeforeAll
  static void prepare() {
    openId =
        node.post(API, TestNode.INGEST_KEY, SessionBodies.start(UUID.randomUUID()))
            .bodyAsJsonObject()
            .getString("id");
  }

  static Stream<Arguments> cases() {
    return Stream.of("null", " null ", "42", "\"text\"", "true", "[]")
        .flatMap(
            body ->
                Stream.of(
                    Arguments.of(HttpMethod.POST, API, body),
                    Arguments.of(HttpMethod.PUT, API + "/{open}", body),
                    Arguments.of(HttpMethod.DELETE, API + "/{open}", body),
                    Arguments.of(
                        HttpMethod.POST,
                        "/api/v1/analytics/sharing/alerts/" + UUID.randomUUID() + "/dismiss",
                        body)));
  }

  @ParameterizedTest(name = "{0} {1} with body {2}")
  @MethodSource("cases")
  void aBodyThatIsNotAnObjectIs400(HttpMethod method, String path, String body) {
    String before = node.snapshot("playback_sessions");
    var r =
        node.send(method, path.replace("{open}", openId), TestNode.ADMIN_KEY, Buffer.buffer(body));
    assertEquals(400, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject error = r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0);
    assertEquals("body", error.getString("field"));
    assertEquals("must be a JSON object", error.getString("message"));
    assertEquals(before, node.snapshot("playback_sessions"));
  }
}
