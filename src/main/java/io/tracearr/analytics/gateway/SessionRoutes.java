package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.auth.Role;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.session.HeartbeatIntake;
import io.tracearr.analytics.session.SessionInput;
import io.tracearr.analytics.session.SessionRepository;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /analytics/sessions/**}: writes go to the local registry as commands, reads straight to
 * PostgreSQL.
 */
public final class SessionRoutes {

  private static final DeliveryOptions COMMAND = SharedJson.command(10_000);

  /**
   * Operations whose request the registry validates in full with {@link SessionInput} (the
   * validator the WebSocket ingest door relies on alone), field by field, with the contract's own
   * limits. Running the contract validator in front of it as well doubled the checks and was 40 %
   * of the CPU of the heartbeat path (docs/benchmarks.md), so the gateway skips it for these.
   */
  static final Set<String> VALIDATED_BY_REGISTRY =
      Set.of("startSession", "heartbeatSession", "endSession");

  /** where a heartbeat's path starts ({@code PUT .../sessions/:id}) */
  static final String SESSIONS_PATH = "/api/v1/analytics/sessions/";

  /** the routing context key of a heartbeat body read by {@code FlatJson} */
  static final String FLAT_BODY = "session.flatBody";

  private final Vertx vertx;
  private final SessionRepository repository;

  public SessionRoutes(Vertx vertx, SessionRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "startSession", this::start,
        "heartbeatSession", this::heartbeat,
        "endSession", this::end,
        "getSession", this::get,
        "listActiveSessions", this::active,
        "listUserSessions", this::history);
  }

  private void start(RoutingContext rc) {
    BearerAuth.principal(rc).requireWriteSessions();
    command(
        rc, Addresses.SESSIONS_START, new JsonObject().put("body", RequestParams.requiredBody(rc)));
  }

  /**
   * A heartbeat of a session the registry knows open is queued in its {@link HeartbeatIntake} and
   * answered here, on this event loop: no request/reply hop to the registry's event loop and back
   * (issue 18). The registry still writes it, and answers everything else as a command: unknown
   * sessions (404/409), an IP change, a full buffer (503), a bad id or body (400, with its
   * wording).
   */
  private void heartbeat(RoutingContext rc) {
    BearerAuth.principal(rc).requireWriteSessions();
    String idText = rc.pathParam("id");
    JsonObject flat = rc.get(FLAT_BODY);
    JsonObject body = flat != null ? flat : RequestParams.requiredBody(rc);
    HeartbeatIntake in = intake();
    UUID id = in == null ? null : quietUuid(idText);
    if (id != null) {
      SessionInput.Heartbeat hb = null;
      try {
        hb = SessionInput.heartbeat(body);
      } catch (Problem invalid) {
        // the registry words it, as for every other door
      }
      if (hb != null && in.offer(id, hb)) {
        HttpReplies.noContent(rc);
        return;
      }
    }
    command(rc, Addresses.SESSIONS_HEARTBEAT, new JsonObject().put("id", idText).put("body", body));
  }

  /**
   * Looked up per request (a map read), not kept: a registry redeployed in the same Vert.x instance
   * brings a new intake, and the old one is no longer drained.
   */
  private HeartbeatIntake intake() {
    return HeartbeatIntake.of(vertx);
  }

  private static UUID quietUuid(String s) {
    if (s == null || s.length() != 36) return null;
    try {
      return UUID.fromString(s);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private void end(RoutingContext rc) {
    BearerAuth.principal(rc).requireWriteSessions();
    JsonObject body = rc.body().isEmpty() ? null : RequestParams.jsonBody(rc);
    command(
        rc,
        Addresses.SESSIONS_END,
        new JsonObject().put("id", rc.pathParam("id")).put("body", body));
  }

  private void command(RoutingContext rc, String address, JsonObject cmd) {
    vertx
        .eventBus()
        .<JsonObject>request(address, cmd, COMMAND)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                JsonObject reply = ar.result().body();
                if (reply.getInteger("status") == 204) reply = new JsonObject().put("status", 204);
                HttpReplies.commandReply(rc, reply);
              } else {
                rc.fail(
                    ar.cause() instanceof ReplyException
                        ? Problem.unavailable("The session registry did not answer in time")
                        : ar.cause());
              }
            });
  }

  private void get(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID id = RequestParams.pathUuid(rc, "id");
    repository
        .find(id)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
                return;
              }
              JsonObject s = ar.result().orElse(null);
              if (s == null) {
                rc.fail(Problem.notFound("No session " + id));
              } else if (!who.canRead(UUID.fromString(s.getString("user_id")))) {
                rc.fail(Problem.forbidden("A user token may only read its own sessions"));
              } else {
                HttpReplies.json(rc, 200, s);
              }
            });
  }

  private void active(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    String userParam = rc.queryParams().get("user_id");
    UUID user = userParam == null ? null : RequestParams.uuid("user_id", userParam);
    if (!who.canReadAll()) {
      if (user != null && !user.equals(who.userId()))
        throw Problem.forbidden("A user token may only read its own sessions");
      user = who.userId();
    }
    repository
        .activeJson(user)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
              } else if (!rc.response().ended()) {
                rc.response()
                    .setStatusCode(200)
                    .putHeader("Content-Type", "application/json")
                    .end(
                        io.vertx.core.buffer.Buffer.buffer(ar.result().length() + 12)
                            .appendString("{\"items\":")
                            .appendBuffer(ar.result())
                            .appendString("}"));
              }
            });
  }

  private void history(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    UUID user = RequestParams.pathUuid(rc, "userId");
    if (!who.canRead(user)) {
      throw Problem.forbidden(
          who.has(Role.USER)
              ? "A user token may only read its own sessions"
              : "This needs the viewer or admin role");
    }
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 500);
    KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
    repository
        .history(user, limit + 1, cursor)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, Page.of(ar.result(), limit, "started_at"));
            });
  }
}
