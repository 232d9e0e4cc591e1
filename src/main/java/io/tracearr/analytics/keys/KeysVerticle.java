package io.tracearr.analytics.keys;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one writer of {@code api_keys}: creates keys (the key is in the reply and nowhere else; only
 * its SHA-256 is stored), revokes them, and records their use. Every change is published as {@link
 * Addresses#KEYS_CHANGED} so every node's gateway reloads its active keys at once.
 */
public final class KeysVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(KeysVerticle.class);

  /**
   * Roles a key may carry. {@code user} is a person's own-data token: it needs a user id, which a
   * JWT carries and a key does not.
   */
  public static final Set<String> ROLES = Set.of("admin", "ingest", "viewer");

  public static final int MAX_NAME_LENGTH = 100;

  /** keys start with this, so a leaked one is recognisable (secret scanners, logs) */
  public static final String PREFIX = "tra_";

  private final ApiKeyQueries queries;
  private final SecureRandom random = new SecureRandom();

  public KeysVerticle(NodeContext node) {
    this.queries = new ApiKeyQueries(node.pool());
  }

  @Override
  public Future<?> start() {
    var bus = vertx.eventBus();
    return Future.all(
        bus.<JsonObject>localConsumer(Addresses.KEYS_CREATE, this::create).completion(),
        bus.<JsonObject>localConsumer(Addresses.KEYS_REVOKE, this::revoke).completion(),
        bus.<JsonObject>localConsumer(Addresses.KEYS_TOUCH, this::touch).completion());
  }

  private record Input(String name, String role, Instant expiresAt) {}

  static Input validate(JsonObject body, Instant now) {
    if (body == null) throw Problem.validation("body", "is required");
    Object name = body.getValue("name");
    if (!(name instanceof String n) || n.isBlank())
      throw Problem.validation("name", "must be a non-empty string");
    String stripped = n.strip();
    if (stripped.length() > MAX_NAME_LENGTH)
      throw Problem.validation("name", "must be at most " + MAX_NAME_LENGTH + " characters");
    if (stripped.chars().anyMatch(Character::isISOControl))
      throw Problem.validation("name", "must not contain control characters");
    Object role = body.getValue("role");
    if (!(role instanceof String r) || !ROLES.contains(r))
      throw Problem.validation("role", "must be one of admin, ingest, viewer");
    Object exp = body.getValue("expires_at");
    Instant expiresAt = null;
    if (exp != null) {
      if (!(exp instanceof String e))
        throw Problem.validation("expires_at", "must be an ISO-8601 date-time");
      try {
        expiresAt = java.time.OffsetDateTime.parse(e).toInstant();
      } catch (DateTimeParseException ex) {
        throw Problem.validation("expires_at", "must be an ISO-8601 date-time with an offset");
      }
      if (!expiresAt.isAfter(now)) throw Problem.validation("expires_at", "must be in the future");
    }
    return new Input(stripped, (String) role, expiresAt);
  }

  private void create(Message<JsonObject> msg) {
    Input in;
    try {
      in = validate(msg.body().getJsonObject("body"), Instant.now());
    } catch (Problem p) {
      msg.reply(CommandReply.problem(p));
      return;
    } catch (ClassCastException e) {
      msg.reply(CommandReply.problem(Problem.validation("body", "must be a JSON object")));
      return;
    }
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    queries
        .insert(
            UUID.randomUUID(),
            in.name(),
            in.role(),
            sha256Hex(key),
            msg.body().getString("by"),
            in.expiresAt())
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                changed();
                log.info(
                    "api key {} ({}) created by {}",
                    ar.result().getString("id"),
                    in.role(),
                    msg.body().getString("by"));
                msg.reply(CommandReply.body(201, ar.result().copy().put("key", key)));
              } else if (ar.cause() instanceof PgException pg && "23505".equals(pg.getSqlState())) {
                msg.reply(
                    CommandReply.problem(
                        Problem.conflict(
                            "A key named '"
                                + in.name()
                                + "' exists; revoke it or choose another name")));
              } else {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
              }
            });
  }

  private void revoke(Message<JsonObject> msg) {
    UUID id;
    try {
      id = UUID.fromString(msg.body().getString("id"));
    } catch (RuntimeException e) {
      msg.reply(CommandReply.problem(Problem.validation("id", "must be a uuid")));
      return;
    }
    queries
        .revoke(id)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                msg.reply(CommandReply.problem(DatabaseErrors.toProblem(ar.cause())));
              } else if (!ar.result()) {
                msg.reply(CommandReply.problem(Problem.notFound("No active key " + id)));
              } else {
                changed();
                log.info("api key {} revoked by {}", id, msg.body().getString("by"));
                msg.reply(new JsonObject().put("status", 204));
              }
            });
  }

  private void touch(Message<JsonObject> msg) {
    JsonArray arr = msg.body().getJsonArray("ids", new JsonArray());
    List<UUID> ids = new ArrayList<>();
    for (Object o : arr) {
      try {
        ids.add(UUID.fromString(String.valueOf(o)));
      } catch (IllegalArgumentException ignored) {
        // only the gateway sends this; a bad id is skipped rather than failing the batch
      }
    }
    if (ids.isEmpty()) {
      msg.reply(new JsonObject().put("updated", 0));
      return;
    }
    queries
        .touch(ids)
        .onComplete(
            ar -> {
              if (ar.failed()) log.warn("recording api key use failed: {}", ar.cause().toString());
              // the gateway sends without waiting; a reply only serves whoever asks (tests, tools)
              msg.reply(new JsonObject().put("updated", ar.succeeded() ? ar.result() : 0));
            });
  }

  private void changed() {
    vertx.eventBus().publish(Addresses.KEYS_CHANGED, new JsonObject());
  }

  /** The stored form of a key. A key has 256 random bits, so one unsalted SHA-256 is enough. */
  public static String sha256Hex(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
