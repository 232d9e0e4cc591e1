package io.tracearr.analytics.gateway.auth;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.StoredText;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.keys.ApiKeyQueries;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Resolves {@code Authorization: Bearer <token>} to a {@link Principal}: an API key from config
 * (the bootstrap), a key made through the API ({@code api_keys}, held here as hashes and reloaded
 * when the keys verticle says they changed, and every 30 s in case a message was lost), or an HS256
 * JWT. Keys are compared as SHA-256 digests in constant time. Tokens are never logged.
 */
public final class BearerAuth {

  private static final Logger log = LoggerFactory.getLogger(BearerAuth.class);
  static final long RELOAD_MS = 30_000;
  static final long TOUCH_FLUSH_MS = 60_000;

  private final Map<Role, byte[]> keyDigests = new LinkedHashMap<>();
  private final JWTAuth jwt;
  private final boolean requireExp;
  private final Vertx vertx;
  private final ApiKeyQueries keys;
  private final FailedAuthLimiter limiter;

  /** the active run-time keys; replaced whole by a reload */
  private volatile List<ApiKeyQueries.ActiveKey> activeKeys = List.of();

  /** a reload's answer older than one already applied is dropped (two reloads may overlap) */
  private final AtomicLong reloadsStarted = new AtomicLong();

  private volatile long reloadApplied;

  /**
   * keys used since the last flush: their last_used_at is written once a minute, not per request
   */
  private final Set<UUID> used = ConcurrentHashMap.newKeySet();

  private MessageConsumer<JsonObject> changes;
  private long reloadTimer = -1;
  private long touchTimer = -1;

  public BearerAuth(Vertx vertx, AppConfig.Auth cfg) {
    this(vertx, cfg, null, null);
  }

  public BearerAuth(
      Vertx vertx, AppConfig.Auth cfg, ApiKeyQueries keys, FailedAuthLimiter limiter) {
    this.requireExp = cfg.jwtRequireExp();
    this.vertx = vertx;
    this.keys = keys;
    this.limiter = limiter;
    putKey(Role.ADMIN, cfg.adminApiKey());
    putKey(Role.INGEST, cfg.ingestApiKey());
    putKey(Role.VIEWER, cfg.viewerApiKey());
    this.jwt =
        cfg.jwtSecret().isEmpty()
            ? null
            : JWTAuth.create(
                vertx,
                new JWTAuthOptions()
                    .addPubSecKey(
                        new PubSecKeyOptions()
                            .setAlgorithm("HS256")
                            .setBuffer(Buffer.buffer(cfg.jwtSecret()))));
  }

  /**
   * Loads the run-time keys and follows their changes. A failed first load is logged, not fatal:
   * configured keys still work.
   */
  public Future<Void> start() {
    if (keys == null) return Future.succeededFuture();
    changes = vertx.eventBus().consumer(Addresses.KEYS_CHANGED, msg -> reload());
    reloadTimer = vertx.setPeriodic(RELOAD_MS, id -> reload());
    touchTimer = vertx.setPeriodic(TOUCH_FLUSH_MS, id -> flushUsage());
    return changes
        .completion()
        .compose(v -> reload())
        .recover(
            err -> {
              log.warn(
                  "loading api keys failed, retrying every {} s: {}",
                  RELOAD_MS / 1000,
                  err.toString());
              return Future.succeededFuture();
            });
  }

  public Future<Void> stop() {
    if (keys == null) return Future.succeededFuture();
    vertx.cancelTimer(reloadTimer);
    vertx.cancelTimer(touchTimer);
    flushUsage();
    return changes == null ? Future.succeededFuture() : changes.unregister();
  }

  /**
   * Re-reads the active keys now. The key routes wait for it before answering a create or revoke,
   * so on the connection that made the change it is in effect once answered (other gateways follow
   * the change event).
   */
  public Future<Void> reloadKeys() {
    return keys == null ? Future.succeededFuture() : reload();
  }

  private Future<Void> reload() {
    long seq = reloadsStarted.incrementAndGet();
    return keys.active()
        .onSuccess(
            list -> {
              synchronized (this) {
                if (seq > reloadApplied) {
                  reloadApplied = seq;
                  activeKeys = List.copyOf(list);
                }
              }
            })
        .onFailure(err -> log.warn("reloading api keys failed: {}", err.toString()))
        .mapEmpty();
  }

  private void flushUsage() {
    if (used.isEmpty()) return;
    JsonArray ids = new JsonArray();
    for (var it = used.iterator(); it.hasNext(); ) {
      ids.add(it.next().toString());
      it.remove();
    }
    vertx.eventBus().send(Addresses.KEYS_TOUCH, new JsonObject().put("ids", ids));
  }

  private void putKey(Role role, String key) {
    if (key != null && !key.isEmpty()) keyDigests.put(role, sha256(key));
  }

  /**
   * The token from the Authorization header, or {@code access_token} (browsers cannot set headers
   * on a WebSocket).
   */
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
    if (token == null || token.isEmpty())
      return Future.failedFuture(Problem.unauthorized("A bearer token is required"));
    byte[] digest = sha256(token);
    Role matched = null;
    for (Map.Entry<Role, byte[]> e : keyDigests.entrySet()) {
      // every key is compared, so timing does not tell which one came close
      if (MessageDigest.isEqual(digest, e.getValue())) matched = e.getKey();
    }
    if (matched != null)
      return Future.succeededFuture(
          new Principal("api-key:" + matched.name().toLowerCase(), EnumSet.of(matched), null));
    ApiKeyQueries.ActiveKey key = null;
    for (ApiKeyQueries.ActiveKey k : activeKeys) {
      if (MessageDigest.isEqual(digest, k.hash())) key = k;
    }
    if (key != null) {
      Role role = Role.parse(key.role()).orElse(null);
      if (role == null || key.expired(java.time.Instant.now()))
        return Future.failedFuture(Problem.unauthorized("Invalid or expired token"));
      used.add(key.id());
      // actions are attributed to the key's name (audit, dismissals)
      return Future.succeededFuture(new Principal(key.name(), EnumSet.of(role), null));
    }
    if (jwt == null || token.chars().filter(c -> c == '.').count() != 2) {
      return Future.failedFuture(Problem.unauthorized("Unknown token"));
    }
    JsonObject claims = claimsOf(token);
    if (claims == null)
      return Future.failedFuture(Problem.unauthorized("Invalid or expired token"));
    Future<io.vertx.ext.auth.User> verified;
    try {
      verified = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      // the library reads exp/iat/nbf with typed getters: a signed token with "exp": "tomorrow"
      // threw here (issue 19 F6)
      verified = Future.failedFuture(e);
    }
    return verified
        .recover(err -> Future.failedFuture(Problem.unauthorized("Invalid or expired token")))
        .compose(user -> principalOf(claims));
  }

  /**
   * The payload of a JWT as the issuer wrote it (the library moves some claims out of the user's
   * principal).
   */
  private static JsonObject claimsOf(String token) {
    try {
      String payload = token.substring(token.indexOf('.') + 1, token.lastIndexOf('.'));
      Object parsed =
          io.vertx.core.json.Json.decodeValue(
              new String(java.util.Base64.getUrlDecoder().decode(payload), StandardCharsets.UTF_8));
      return parsed instanceof JsonObject o ? o : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /**
   * The claims of a token whose signature and times the library accepted. Claims are input like any
   * other: each has one accepted shape, anything else is refused, never a 500.
   */
  private Future<Principal> principalOf(JsonObject claims) {
    for (String time : new String[] {"exp", "iat", "nbf"}) {
      Object v = claims.getValue(time);
      if (v != null && !(v instanceof Number))
        return Future.failedFuture(
            Problem.unauthorized("The token's " + time + " must be a number"));
    }
    // a token without exp would be good forever: refused unless auth.jwt_require_exp is false
    if (requireExp && claims.getValue("exp") == null)
      return Future.failedFuture(Problem.unauthorized("The token has no expiry (exp)"));
    Object rawSub = claims.getValue("sub");
    if (rawSub != null
        && (!(rawSub instanceof String sub)
            || sub.isEmpty()
            || StoredText.refusal(sub) != null
            || sub.length() > 200)) {
      return Future.failedFuture(
          Problem.unauthorized(
              "The token's sub must be a non-empty string of at most 200 characters"));
    }
    String sub = (String) rawSub;
    Set<Role> roles = EnumSet.noneOf(Role.class);
    Object raw = claims.getValue("roles");
    if (raw instanceof JsonArray arr) {
      for (Object o : arr) if (o instanceof String s) Role.parse(s).ifPresent(roles::add);
    } else if (raw instanceof String s) {
      // a space- or comma-separated list (the OAuth scope style); each item must still match
      // exactly
      for (String part : s.split("[ ,]+")) Role.parse(part).ifPresent(roles::add);
    }
    if (roles.isEmpty())
      return Future.failedFuture(Problem.forbidden("The token carries no known role"));
    UUID userId = null;
    if (sub != null) {
      try {
        userId = UUID.fromString(sub);
      } catch (IllegalArgumentException ignored) {
        // a non-user subject (a service): it may still hold ingest/viewer/admin
      }
    }
    if (roles.equals(EnumSet.of(Role.USER)) && userId == null) {
      return Future.failedFuture(
          Problem.unauthorized("A user token needs a user id (uuid) as its subject"));
    }
    return Future.succeededFuture(new Principal(sub == null ? "jwt" : "jwt:" + sub, roles, userId));
  }

  /**
   * Route handler: authenticates or fails the request with 401/403, or 429 when the client address
   * has failed too often this minute. A missing token is not a failed attempt (nothing was
   * guessed); a wrong one is.
   */
  public void handle(RoutingContext rc) {
    String address =
        rc.request().remoteAddress() == null ? null : rc.request().remoteAddress().hostAddress();
    long wait = limiter == null ? 0 : limiter.blockedFor(address);
    if (wait > 0) {
      tooMany(rc, wait);
      return;
    }
    String token = tokenOf(rc, false);
    authenticate(token)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                rc.put(Principal.CONTEXT_KEY, ar.result());
                rc.next();
                return;
              }
              if (limiter != null
                  && token != null
                  && !token.isEmpty()
                  && ar.cause() instanceof Problem p
                  && p.status() == 401) {
                long w = limiter.failed(address);
                if (w > 0) {
                  tooMany(rc, w);
                  return;
                }
              }
              rc.fail(ar.cause());
            });
  }

  private static void tooMany(RoutingContext rc, long retryAfterSeconds) {
    rc.response().putHeader("Retry-After", Long.toString(retryAfterSeconds));
    rc.fail(
        new Problem(
            429,
            "too-many-requests",
            "Too many requests",
            "Too many failed authentications from this address; retry after "
                + retryAfterSeconds
                + " s",
            null));
  }

  public static Principal principal(RoutingContext rc) {
    return rc.get(Principal.CONTEXT_KEY);
  }

  /**
   * One digest per event-loop thread: the provider lookup of getInstance cost more than the hash
   * itself.
   */
  private static final ThreadLocal<MessageDigest> SHA256 =
      ThreadLocal.withInitial(
          () -> {
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
