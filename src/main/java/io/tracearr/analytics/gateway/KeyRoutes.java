package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.keys.ApiKeyQueries;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /analytics/keys}: API keys (admin only). Listed through the keys concern's query object;
 * created and revoked by commands to this node's keys verticle, the one writer of api_keys.
 */
public final class KeyRoutes {

  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(10_000);

  private final Vertx vertx;
  private final ApiKeyQueries queries;
  private final BearerAuth auth;

  public KeyRoutes(Vertx vertx, ApiKeyQueries queries, BearerAuth auth) {
    this.vertx = vertx;
    this.queries = queries;
    this.auth = auth;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listApiKeys", this::list,
        "createApiKey", this::create,
        "revokeApiKey", this::revoke);
  }

  private void list(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    queries
        .list()
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, new JsonObject().put("items", ar.result()));
            });
  }

  private void create(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAdmin();
    JsonObject cmd =
        new JsonObject().put("body", RequestParams.requiredBody(rc)).put("by", who.name());
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.KEYS_CREATE, cmd, COMMAND)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(Problem.unavailable("The key store did not answer in time; retry shortly"));
                return;
              }
              // the key is in this body and nowhere else: no cache may keep it
              rc.response().putHeader("Cache-Control", "no-store");
              answerAfterReload(rc, ar.result().body());
            });
  }

  private void revoke(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    JsonObject cmd = new JsonObject().put("id", id.toString()).put("by", who.name());
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.KEYS_REVOKE, cmd, COMMAND)
        .onComplete(
            ar -> {
              if (ar.succeeded()) answerAfterReload(rc, ar.result().body());
              else
                rc.fail(Problem.unavailable("The key store did not answer in time; retry shortly"));
            });
  }

  /**
   * A change is answered once this gateway's copy of the keys has it (a failed reload still
   * answers: the 30 s reload follows).
   */
  private void answerAfterReload(RoutingContext rc, JsonObject reply) {
    if (reply.containsKey("problem")) {
      HttpReplies.commandReply(rc, reply);
      return;
    }
    auth.reloadKeys().onComplete(ignored -> HttpReplies.commandReply(rc, reply));
  }
}
