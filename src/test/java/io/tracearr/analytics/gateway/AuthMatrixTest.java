package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Who may do what, through the real router: every role against a write and the reads. */
class AuthMatrixTest {

  @RegisterExtension static final NodeExtension nodes = NodeExtension.single();
  static final TestNode node = nodes.node();
  static final UUID USER = UUID.randomUUID();
  static final UUID OTHER = UUID.randomUUID();

  @BeforeAll
  static void prepare() {
    assertEquals(
        201,
        node.post("/api/v1/analytics/sessions", TestNode.ADMIN_KEY, SessionBodies.start(USER))
            .statusCode());
  }

  static Stream<Arguments> matrix() {
    Function<TestNode, String> admin = n -> TestNode.ADMIN_KEY;
    Function<TestNode, String> ingest = n -> TestNode.INGEST_KEY;
    Function<TestNode, String> viewer = n -> TestNode.VIEWER_KEY;
    Function<TestNode, String> user =
        n -> n.jwt(USER.toString(), List.of("user"), Duration.ofMinutes(5));
    Function<TestNode, String> jwtAdmin =
        n -> n.jwt("ops-bot", List.of("admin"), Duration.ofMinutes(5));
    Function<TestNode, String> jwtIngest =
        n -> n.jwt("media-server", List.of("ingest"), Duration.ofMinutes(5));
    Function<TestNode, String> expired =
        n -> n.jwt(USER.toString(), List.of("admin"), Duration.ofMinutes(-5));
    Function<TestNode, String> badToken = n -> "not-a-real-token-at-all";
    Function<TestNode, String> none = n -> null;
    Function<TestNode, String> forged =
        n ->
            io.vertx.ext.auth.jwt.JWTAuth.create(
                    n.clientVertx(),
                    new io.vertx.ext.auth.jwt.JWTAuthOptions()
                        .addPubSecKey(
                            new io.vertx.ext.auth.PubSecKeyOptions()
                                .setAlgorithm("HS256")
                                .setBuffer("another-secret-0123456789abcdef")))
                .generateToken(
                    new io.vertx.core.json.JsonObject()
                        .put("sub", "x")
                        .put("roles", new io.vertx.core.json.JsonArray().add("admin")),
                    new io.vertx.ext.auth.JWTOptions().setAlgorithm("HS256"));
    // role, token, write status, read-all status, read-own status, read-other status
    return Stream.of(
        Arguments.of("admin key", admin, 201, 200, 200, 200),
        Arguments.of("ingest key", ingest, 201, 403, 403, 403),
        Arguments.of("viewer key", viewer, 403, 200, 200, 200),
        Arguments.of("user JWT", user, 403, 403, 200, 403),
        Arguments.of("admin JWT", jwtAdmin, 201, 200, 200, 200),
        Arguments.of("ingest JWT", jwtIngest, 201, 403, 403, 403),
        Arguments.of("expired JWT", expired, 401, 401, 401, 401),
        Arguments.of("forged JWT signature", forged, 401, 401, 401, 401),
        Arguments.of("unknown token", badToken, 401, 401, 401, 401),
        Arguments.of("no token", none, 401, 401, 401, 401));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("matrix")
  void roleDecidesAccess(
      String name,
      Function<TestNode, String> token,
      int write,
      int readAll,
      int readOwn,
      int readOther) {
    String t = token.apply(node);
    var w = node.post("/api/v1/analytics/sessions", t, SessionBodies.start(UUID.randomUUID()));
    assertEquals(write, w.statusCode(), "write: " + w.bodyAsString());
    // "read all" is judged on another user's active sessions
    var all = node.get("/api/v1/analytics/sessions/active?user_id=" + OTHER, t);
    assertEquals(readAll, all.statusCode(), "active: " + all.bodyAsString());
    var own = node.get("/api/v1/analytics/sessions/user/" + USER, t);
    assertEquals(readOwn, own.statusCode(), "own history: " + own.bodyAsString());
    var other = node.get("/api/v1/analytics/sessions/user/" + OTHER, t);
    assertEquals(readOther, other.statusCode(), "other's history: " + other.bodyAsString());
    for (var r : List.of(w, all, own, other)) {
      if (r.statusCode() >= 400) {
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        assertEquals(r.statusCode(), r.bodyAsJsonObject().getInteger("status"));
      }
      if (r.statusCode() == 401) assertTrue(r.getHeader("WWW-Authenticate").startsWith("Bearer"));
    }
  }

  @Test
  void userTokenSeesOnlyItsOwnActiveSessions() {
    String t = node.jwt(USER.toString(), List.of("user"), Duration.ofMinutes(5));
    assertEquals(
        201,
        node.post("/api/v1/analytics/sessions", TestNode.ADMIN_KEY, SessionBodies.start(OTHER))
            .statusCode());
    var r = node.get("/api/v1/analytics/sessions/active", t);
    assertEquals(200, r.statusCode());
    var items = r.bodyAsJsonObject().getJsonArray("items");
    assertTrue(items.size() >= 1);
    for (int i = 0; i < items.size(); i++)
      assertEquals(USER.toString(), items.getJsonObject(i).getString("user_id"));
  }

  @Test
  void healthNeedsNoToken() {
    assertEquals(200, node.get("/health/live", null).statusCode());
    assertEquals(200, node.get("/health/ready", null).statusCode());
  }
}
