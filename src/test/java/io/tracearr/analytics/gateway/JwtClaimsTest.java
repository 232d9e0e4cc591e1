package io.tracearr.analytics.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tracearr.analytics.testing.NodeExtension;
import io.tracearr.analytics.testing.SessionBodies;
import io.tracearr.analytics.testing.TestNode;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 19 F6 and F7: claims of a validly signed JWT are input too. A string {@code exp} was a 500
 * on every route; a JWT without {@code exp} was good forever; roles were matched case-insensitively
 * and trimmed.
 */
class JwtClaimsTest {

  static final String SESSIONS = "/api/v1/analytics/sessions";

  @RegisterExtension
  // dozens of refused tokens from one address on purpose: the failed-auth limit (AuthRateLimitTest)
  // is off here
  static final NodeExtension nodes =
      NodeExtension.single(
          new io.vertx.core.json.JsonObject()
              .put("auth", new io.vertx.core.json.JsonObject().put("failed_auth_per_minute", 0)));

  static final TestNode node = nodes.node();

  static long inAnHour() {
    return System.currentTimeMillis() / 1000 + 3600;
  }

  /** An HS256 JWT with exactly these claims, signed with the node's secret. */
  static String signed(JsonObject claims) {
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String head =
        b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
    String body = b64.encodeToString(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(
          new SecretKeySpec(TestNode.JWT_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return head
          + "."
          + body
          + "."
          + b64.encodeToString(
              mac.doFinal((head + "." + body).getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static JsonObject admin() {
    return new JsonObject().put("sub", "ops-bot").put("roles", new JsonArray().add("admin"));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("exp a string", admin().put("exp", "tomorrow"), 401),
        Arguments.of("exp a numeric string", admin().put("exp", String.valueOf(inAnHour())), 401),
        Arguments.of("exp an object", admin().put("exp", new JsonObject()), 401),
        Arguments.of("exp an array", admin().put("exp", new JsonArray().add(inAnHour())), 401),
        Arguments.of("exp true", admin().put("exp", true), 401),
        Arguments.of(
            "exp huge", admin().put("exp", new java.math.BigInteger("1" + "0".repeat(40))), 401),
        Arguments.of("iat a string", admin().put("exp", inAnHour()).put("iat", "now"), 401),
        Arguments.of("nbf a string", admin().put("exp", inAnHour()).put("nbf", "now"), 401),
        Arguments.of("no exp", admin(), 401),
        Arguments.of(
            "role in capitals",
            admin().put("exp", inAnHour()).put("roles", new JsonArray().add("ADMIN")),
            403),
        Arguments.of(
            "role with a space",
            admin().put("exp", inAnHour()).put("roles", new JsonArray().add(" admin")),
            403),
        Arguments.of(
            "role as a capitalised string",
            admin().put("exp", inAnHour()).put("roles", "Admin"),
            403),
        Arguments.of(
            "roles not strings",
            admin()
                .put("exp", inAnHour())
                .put("roles", new JsonArray().add(1).add(new JsonObject())),
            403),
        Arguments.of("sub a number", admin().put("exp", inAnHour()).put("sub", 42), 401));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refusedOnEveryKindOfRoute(String name, JsonObject claims, int status) {
    String token = signed(claims);
    for (var r :
        java.util.List.of(
            node.post(SESSIONS, token, SessionBodies.start(UUID.randomUUID())),
            node.get(SESSIONS + "/active", token),
            node.get("/api/v1/analytics/stats/summary", token))) {
      assertEquals(status, r.statusCode(), r.bodyAsString());
      assertEquals("application/problem+json", r.getHeader("Content-Type"));
    }
  }

  @Test
  void aWellFormedTokenIsAccepted() {
    var r =
        node.post(
            SESSIONS,
            signed(admin().put("exp", inAnHour())),
            SessionBodies.start(UUID.randomUUID()));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    var spaced =
        node.get(
            SESSIONS + "/active",
            signed(admin().put("exp", inAnHour()).put("roles", "viewer ingest")));
    assertEquals(200, spaced.statusCode(), spaced.bodyAsString());
  }

  @Test
  void withoutExpIsAcceptedOnlyWhenConfigured() {
    try (TestNode lax =
        TestNode.start(
            new JsonObject().put("auth", new JsonObject().put("jwt_require_exp", false)))) {
      var r = lax.post(SESSIONS, signed(admin()), SessionBodies.start(UUID.randomUUID()));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      var bad = lax.get(SESSIONS + "/active", signed(admin().put("exp", "tomorrow")));
      assertEquals(401, bad.statusCode(), bad.bodyAsString());
    }
  }
}
