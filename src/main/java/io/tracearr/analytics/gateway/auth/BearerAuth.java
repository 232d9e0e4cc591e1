package io.tracearr.analytics.gateway.auth;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.StoredText;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Resolves {@code Authorization: Bearer <token>} to a {@link Principal}: an API key from config (compared in
 * constant time) or an HS256 JWT. Tokens are never logged.
 */
public final class BearerAuth {

  private final Map<Role, byte[]> keyDigests = new LinkedHashMap<>();
  private final JWTAuth jwt;
  private final boolean requireExp;

  public BearerAuth(Vertx vertx, AppConfig.Auth cfg) {
    this.requireExp = cfg.jwtRequireExp();
    putKey(Role.ADMIN, cfg.adminApiKey());
    putKey(Role.INGEST, cfg.ingestApiKey());
    putKey(Role.VIEWER, cfg.viewerApiKey());
    this.jwt = cfg.jwtSecret().isEmpty() ? null : JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(Buffer.buffer(cfg.jwtSecret()))));
  }

  private void putKey(Role role, String key) {
    if (key != null && !key.isEmpty()) keyDigests.put(role, sha256(key));
  }

  /** The token from the Authorization header, or {@code access_token} (browsers cannot set headers on a WebSocket). */
  public static String tokenOf(RoutingContext rc, boolean allowQuery) {
    String header = rc.request().getHeader("Authorization");
    if (header != null) {
      if (header.regionMatches(true, 0, "Bearer ", 0, 7)) return header.substring(7).trim();
      return "";
    }
    if (allowQuery) {
      String q = rc.request().getParam("access_token");
      if (q != null) return q.trim();
    }
    return null;
  }

  public Future<Principal> authenticate(String token) {
    if (token == null || token.isEmpty()) return Future.failedFuture(Problem.unauthorized("A bearer token is required"));
    byte[] digest = sha256(token);
    Role matched = null;
    for (Map.Entry<Role, byte[]> e : keyDigests.entrySet()) {
      // every key is compared, so timing does not tell which one came close
      if (MessageDigest.isEqual(digest, e.getValue())) matched = e.getKey();
    }
    if (matched != null) return Future.succeededFuture(new Principal("api-key:" + matched.name().toLowerCase(), EnumSet.of(matched), null));
    if (jwt == null || token.chars().filter(c -> c == '.').count() != 2) {
      return Future.failedFuture(Problem.unauthorized("Unknown token"));
    }
    JsonObject claims = claimsOf(token);
    if (claims == null) return Future.failedFuture(Problem.unauthorized("Invalid or expired token"));
    Future<io.vertx.ext.auth.User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the library reads exp/iat/nbf with typed getters: a signed token with "exp": "tomorrow" threw here (issue 19 F6)
      verified = Future.failedFuture(e);
    }
    return verified
        .recover(err -> Future.failedFuture(Problem.unauthorized("Invalid or expired token")))
        .compose(user -> principalOf(claims));
  }

  /** The payload of a JWT as the issuer wrote it (the library moves some claims out of the user's principal). */
  private static JsonObject claimsOf(String token) {
    try {
      String payload = token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'));
      Object parsed = io.vertx.core.json.Json.decodeValue(new String(java.util.Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
      return parsed instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The claims of a token whose signature and times the library accepted. Claims are input like any other:
   * each has one accepted shape, anything else is refused, never a 500.
   */
  private Future<Principal> principalOf(JsonObject claims) {
    for (String time : new String[] {"exp", "iat", "nbf"}) {
      Object v = claims.getValue(time);
      if (v != null && !(v instanceof Number)) return Future.failedFuture(Problem.unauthorized("The token's " + time + " must be a number"));
    }
    // a token without exp would be good forever: refused unless auth.jwt_require_exp is false
    if (requireExp && claims.getValue("exp") == null) return Future.failedFuture(Problem.unauthorized("The token has no expiry (exp)"));
    Object rawSub = claims.getValue("sub");
    if (rawSub != null && (!(rawSub instanceof String sub) || sub.isEmpty() || StoredText.refusal(sub) != null || sub.length() > 200)) {
      return Future.failedFuture(Problem.unauthorized("The token's sub must be a non-empty string of at most 200 characters"));
    }
    String sub = (String) rawSub;
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Object raw = claims.getValue("roles");
    if (raw instanceof JsonArray arr) {
      for (Object o : arr) if (o instanceof String s) Role.parse(s).ifPresent(roles::add);
    } else if (raw instanceof String s) {
      // a space- or comma-separated list (the OAuth scope style); each item must still match exactly
      for (String part : s.split("[ ,]+")) Role.parse(part).ifPresent(roles::add);
    }
    if (roles.isEmpty()) return Future.failedFuture(Problem.forbidden("The token carries no known role"));
    UUID userId = null;
    if (sub != null) {
      try {
        userId = UUID.fromString(sub);
      } catch (IllegalArgumentException ignored) {
        // a non-user subject (a service): it may still hold ingest/viewer/admin
      }
    }
    if (roles.equals(EnumSet.of(Role.USER)) && userId == null) {
      return Future.failedFuture(Problem.unauthorized("A user token needs a user id (uuid) as its subject"));
    }
    return Future.succeededFuture(new Principal(sub == null ? "jwt" : "jwt:" + sub, roles, userId));
  }

  /** Route handler: authenticates or fails the request with 401/403. */
  public void handle(RoutingContext rc) {
    authenticate(tokenOf(rc, false)).onComplete(ar -> {
      if (ar.succeeded()) {
        rc.put(Principal.CONTEXT_KEY, ar.result());
        rc.next();
      } else {
        rc.fail(ar.cause());
      }
    });
  }

  public static Principal principal(RoutingContext rc) {
    return rc.get(Principal.CONTEXT_KEY);
  }

  /** One digest per event-loop thread: the provider lookup of getInstance cost more than the hash itself. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  private static byte[] sha256(String s) {
    return SHA256.get().digest(s.getBytes(StandardCharsets.UTF_8));
  }
}
