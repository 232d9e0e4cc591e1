package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.api.StoredText;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.enforce.EnforcementStore;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /analytics/sharing/**}: alerts are read through the detector's query object ({@link
 * AlertRepository} reads); a dismissal and a detection run are commands to this node's detector,
 * the one writer of alerts.
 */
public final class AlertRoutes {

  static final Set<String> STATUSES = Set.of("open", "dismissed");
  static final Set<String> TYPES =
      Set.of("concurrent_streams", "geo_impossible", "impossible_travel", "device_spike");
  static final int MAX_REASON_LENGTH = 500;

  /** a sweep judges every watching user; give it time before answering 503 */
  private static final DeliveryOptions COMMAND = new DeliveryOptions().setSendTimeout(10_000);

  private static final DeliveryOptions SWEEP = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;
  private final AlertRepository repository;
  private final EnforcementStore enforcement;

  public AlertRoutes(Vertx vertx, AlertRepository repository, EnforcementStore enforcement) {
    this.vertx = vertx;
    this.repository = repository;
    this.enforcement = enforcement;
  }

  /** Each alert with the rule actions taken on it ({@code actions}, issue 15), oldest first. */
  private io.vertx.core.Future<List<JsonObject>> withActions(List<JsonObject> alerts) {
    List<UUID> ids = alerts.stream().map(a -> UUID.fromString(a.getString("id"))).toList();
    return enforcement
        .actionsFor(ids)
        .map(
            by -> {
              for (JsonObject a : alerts)
                a.put(
                    "actions",
                    by.getOrDefault(a.getString("id"), new io.vertx.core.json.JsonArray()));
              return alerts;
            });
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listAlerts", this::list,
        "getAlert", this::get,
        "dismissAlert", this::dismiss,
        "detectSharing", this::detect);
  }

  private void list(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID user = RequestParams.optionalUuid(rc, "user_id");
    String status = RequestParams.optionalOneOf(rc, "status", STATUSES);
    String type = RequestParams.optionalOneOf(rc, "type", TYPES);
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 500);
    KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
    if (!who.canReadAll()) {
      if (who.userId() == null)
        throw Problem.forbidden("This needs the viewer or admin role, or a user token");
      if (user != null && !user.equals(who.userId()))
        throw Problem.forbidden("A user token may only read its own alerts");
      user = who.userId();
    }
    repository
        .list(new AlertRepository.Filter(user, status, type), cursor, limit + 1)
        .compose(this::withActions)
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, Page.of(ar.result(), limit, "created_at"));
            });
  }

  /**
   * Another user's alert is 403 for a user token, as for sessions: ids are random, so existence
   * leaks nothing useful.
   */
  private void get(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID id = RequestParams.pathUuid(rc, "id");
    repository
        .find(id)
        .compose(
            found ->
                found.isEmpty()
                    ? io.vertx.core.Future.succeededFuture(found)
                    : withActions(List.of(found.get())).map(x -> found))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
                return;
              }
              JsonObject alert = ar.result().orElse(null);
              if (alert == null) rc.fail(Problem.notFound("No alert " + id));
              else if (!who.canRead(UUID.fromString(alert.getString("user_id"))))
                rc.fail(Problem.forbidden("A user token may only read its own alerts"));
              else HttpReplies.json(rc, 200, alert);
            });
  }

  private void dismiss(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAdmin();
    UUID id = RequestParams.pathUuid(rc, "id");
    String reason = reason(RequestParams.jsonBody(rc));
    JsonObject cmd =
        new JsonObject().put("id", id.toString()).put("by", who.name()).put("reason", reason);
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.ALERTS_DISMISS, cmd, COMMAND)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                JsonObject reply = ar.result().body();
                JsonObject alert = reply.getJsonObject("body");
                if (alert == null) {
                  HttpReplies.commandReply(rc, reply);
                  return;
                }
                rc.put(
                    AuditTrail.AFTER,
                    new JsonObject()
                        .put("status", alert.getString("status"))
                        .put("dismiss_reason", alert.getString("dismiss_reason")));
                // the same representation as GET: with the alert's rule actions
                withActions(List.of(alert))
                    .onComplete(
                        x -> {
                          if (x.failed()) rc.fail(DatabaseErrors.toProblem(x.cause()));
                          else HttpReplies.commandReply(rc, reply);
                        });
              } else
                rc.fail(Problem.unavailable("The detector did not answer in time; retry shortly"));
            });
  }

  private void detect(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    vertx
        .eventBus()
        .<JsonObject>request(Addresses.DETECT_SWEEP, new JsonObject(), SWEEP)
        .onComplete(
            ar -> {
              if (ar.succeeded()) HttpReplies.json(rc, 200, ar.result().body());
              else rc.fail(Problem.unavailable("Detection could not run now; retry shortly"));
            });
  }

  private static String reason(JsonObject body) {
    Object v = body.getValue("reason");
    if (v == null) return null;
    if (!(v instanceof String s)) throw Problem.validation("reason", "must be a string");
    if (s.length() > MAX_REASON_LENGTH)
      throw Problem.validation("reason", "must be at most " + MAX_REASON_LENGTH + " characters");
    String refusal = StoredText.refusal(s);
    if (refusal != null) throw Problem.validation("reason", refusal);
    return s.isBlank() ? null : s.strip();
  }
}
