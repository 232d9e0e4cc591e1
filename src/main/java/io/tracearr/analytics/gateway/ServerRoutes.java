package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.media.MediaServerRepository;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /analytics/servers/**}, admin only: servers are read through the connector's query object
 * ({@link MediaServerRepository} reads, which never select the token); create, change and delete
 * are commands to this node's {@code MediaServerVerticle}, the one writer of media_servers, which
 * validates the body (the same rules as for the config file) and checks the server's own API.
 */
public final class ServerRoutes {

  /**
   * Bodies are validated by the connector (400 naming the field), not by the contract's schemas.
   */
  static final Set<String> VALIDATED_BY_CONNECTOR =
      Set.of("createServer", "updateServer", "getServer", "deleteServer");

  /** a check calls the media server (5 s timeout, Plex twice) before anything is stored */
  private static final long COMMAND_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final MediaServerRepository repository;

  public ServerRoutes(Vertx vertx, MediaServerRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listServers", this::list,
        "createServer", this::create,
        "getServer", this::get,
        "updateServer", this::update,
        "deleteServer", this::delete);
  }

  private void list(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    repository
        .list()
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else
                HttpReplies.json(
                    rc, 200, new JsonObject().put("items", new JsonArray(ar.result())));
            });
  }

  private void get(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    repository
        .find(id)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else if (ar.result().isEmpty()) rc.fail(Problem.notFound("No media server " + id));
              else HttpReplies.json(rc, 200, ar.result().get());
            });
  }

  private void create(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    JsonObject body = RequestParams.requiredBody(rc);
    command(
        rc,
        Addresses.MEDIA_SERVERS_CREATE,
        new JsonObject().put("body", body).put("validate", validate(rc)));
  }

  private void update(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    JsonObject body = RequestParams.requiredBody(rc);
    command(
        rc,
        Addresses.MEDIA_SERVERS_UPDATE,
        new JsonObject().put("id", id.toString()).put("body", body).put("validate", validate(rc)));
  }

  private void delete(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    command(rc, Addresses.MEDIA_SERVERS_DELETE, new JsonObject().put("id", id.toString()));
  }

  private void command(RoutingContext rc, String address, JsonObject cmd) {
    vertx
        .eventBus()
        .<JsonObject>request(address, cmd, SharedJson.command(COMMAND_TIMEOUT_MS))
        .onComplete(
            ar -> {
              if (ar.succeeded()) HttpReplies.commandReply(rc, ar.result().body());
              else
                rc.fail(
                    Problem.unavailable(
                        "The media-server connector did not answer in time; retry shortly"));
            });
  }

  /** {@code ?validate=false} skips the check against the server's own API. */
  private static boolean validate(RoutingContext rc) {
    String v = rc.queryParams().get("validate");
    if (v == null || v.isEmpty() || v.equals("true")) return true;
    if (v.equals("false")) return false;
    throw Problem.validation("validate", "must be true or false");
  }
}
