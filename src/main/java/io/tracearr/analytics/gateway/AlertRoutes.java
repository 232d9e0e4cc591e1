package io.tracearr.analytics.gateway;

import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.AlertCursor;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.session.SessionInput;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * {@code /analytics/sharing/**}: alerts are read from and dismissed in PostgreSQL directly; a detection
 * run is a command to this node's detector.
 */
public final class AlertRoutes {

  static final Set<String> STATUSES = Set.of("open", "dismissed");
  static final Set<String> TYPES = Set.of("concurrent_streams", "geo_impossible", "impossible_travel", "device_spike");
  static final int MAX_REASON_LENGTH = 500;
  /** a sweep judges every watching user; give it time before answering 503 */
  private static final DeliveryOptions SWEEP = new DeliveryOptions().setSendTimeout(60_000);

  private final Vertx vertx;
  private final AlertRepository repository;

  public AlertRoutes(Vertx vertx, AlertRepository repository) {
    this.vertx = vertx;
    this.repository = repository;
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
    UUID user = optionalUuid(rc, "user_id");
    String status = optionalOneOf(rc, "status", STATUSES);
    String type = optionalOneOf(rc, "type", TYPES);
    int limit = SessionRoutes.intParam(rc, "limit", 50, 1, 500);
    String before = rc.queryParams().get("before");
    AlertCursor cursor = before == null || before.isEmpty() ? null : AlertCursor.decode(before);
    if (!who.canReadAll()) {
      if (who.userId() == null) throw Problem.forbidden("This needs the viewer or admin role, or a user token");
      if (user != null && !user.equals(who.userId())) throw Problem.forbidden("A user token may only read its own alerts");
      user = who.userId();
    }
    repository.list(new AlertRepository.Filter(user, status, type), cursor, limit + 1).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(DatabaseErrors.toProblem(ar.cause()));
        return;
      }
      List<JsonObject> rows = ar.result();
      String next = null;
      if (rows.size() > limit) {
        rows = rows.subList(0, limit);
        next = AlertCursor.of(rows.get(limit - 1)).encode();
      }
      HttpReplies.json(rc, 200, new JsonObject().put("items", new JsonArray(List.copyOf(rows))).put("next_cursor", next));
    });
  }

  /** Another user's alert is 403 for a user token, as for sessions: ids are random, so existence leaks nothing useful. */
  private void get(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID id = SessionInput.pathId("id", rc.pathParam("id"));
    repository.find(id).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(DatabaseErrors.toProblem(ar.cause()));
        return;
      }
      JsonObject alert = ar.result().orElse(null);
      if (alert == null) rc.fail(Problem.notFound("No alert " + id));
      else if (!who.canRead(UUID.fromString(alert.getString("user_id")))) rc.fail(Problem.forbidden("A user token may only read its own alerts"));
      else HttpReplies.json(rc, 200, alert);
    });
  }

  private void dismiss(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAdmin();
    UUID id = SessionInput.pathId("id", rc.pathParam("id"));
    String reason = reason(SessionRoutes.jsonBody(rc));
    repository.dismiss(id, who.name(), reason).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(DatabaseErrors.toProblem(ar.cause()));
        return;
      }
      AlertRepository.Dismissal d = ar.result().orElse(null);
      if (d == null) {
        rc.fail(Problem.notFound("No alert " + id));
        return;
      }
      if (d.changed()) vertx.eventBus().publish(Addresses.ALERT_DISMISSED, d.alert());
      HttpReplies.json(rc, 200, d.alert());
    });
  }

  private void detect(RoutingContext rc) {
    BearerAuth.principal(rc).requireAdmin();
    vertx.eventBus().<JsonObject>request(Addresses.DETECT_SWEEP, new JsonObject(), SWEEP).onComplete(ar -> {
      if (ar.succeeded()) HttpReplies.json(rc, 200, ar.result().body());
      else rc.fail(Problem.unavailable("Detection could not run now; retry shortly"));
    });
  }

  private static String reason(JsonObject body) {
    Object v = body.getValue("reason");
    if (v == null) return null;
    if (!(v instanceof String s)) throw Problem.validation("reason", "must be a string");
    if (s.length() > MAX_REASON_LENGTH) throw Problem.validation("reason", "must be at most " + MAX_REASON_LENGTH + " characters");
    return s.isBlank() ? null : s.strip();
  }

  private static UUID optionalUuid(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    return v == null || v.isEmpty() ? null : SessionInput.pathId(name, v);
  }

  private static String optionalOneOf(RoutingContext rc, String name, Set<String> allowed) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isEmpty()) return null;
    if (allowed.contains(v)) return v;
    throw Problem.validation(name, "must be one of " + String.join(", ", allowed.stream().sorted().toList()));
  }
}
