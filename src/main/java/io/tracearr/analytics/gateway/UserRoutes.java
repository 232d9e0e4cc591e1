package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.ActivityRepository;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.auth.Principal;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.session.UserQueries;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code /analytics/users/**}: people, read-only. Each part comes from its owner's query object:
 * the person and their places from the registry's ({@link UserQueries}), open alerts and devices
 * from the detector's.
 */
public final class UserRoutes {

  static final int MAX_Q_LENGTH = 200;

  private final UserQueries users;
  private final AlertRepository alerts;
  private final ActivityRepository activity;

  public UserRoutes(UserQueries users, AlertRepository alerts, ActivityRepository activity) {
    this.users = users;
    this.alerts = alerts;
    this.activity = activity;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "listUsers", this::list,
        "getUser", this::get);
  }

  /** A user token sees a list of one: itself. */
  private void list(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID only = null;
    if (!who.canReadAll()) {
      if (who.userId() == null)
        throw Problem.forbidden("This needs the viewer or admin role, or a user token");
      only = who.userId();
    }
    String q = rc.queryParams().get("q");
    if (q != null && q.length() > MAX_Q_LENGTH)
      throw Problem.validation("q", "must be at most " + MAX_Q_LENGTH + " characters");
    int limit = RequestParams.intParam(rc, "limit", 50, 1, 500);
    KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
    users
        .list(new UserQueries.Filter(q, only), cursor, limit + 1)
        .compose(
            people ->
                alerts
                    .countOpenPerUser(ids(people))
                    .map(
                        counts -> {
                          for (JsonObject p : people)
                            p.put(
                                "open_alerts",
                                counts.getOrDefault(UUID.fromString(p.getString("id")), 0L));
                          return Page.of(people, limit, "last_seen_at");
                        }))
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else HttpReplies.json(rc, 200, ar.result());
            });
  }

  private void get(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID id = RequestParams.pathUuid(rc, "id");
    if (!who.canRead(id)) throw Problem.forbidden("A user token may only read itself");
    Future<java.util.Optional<JsonObject>> person = users.find(id, Instant.now());
    Future<Map<UUID, Long>> open = alerts.countOpenPerUser(List.of(id));
    Future<io.vertx.core.json.JsonArray> devices = activity.devices(id);
    Future.all(person, open, devices)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
                return;
              }
              JsonObject p = person.result().orElse(null);
              if (p == null) {
                rc.fail(Problem.notFound("No user " + id));
                return;
              }
              p.put("open_alerts", open.result().getOrDefault(id, 0L))
                  .put("devices", devices.result());
              HttpReplies.json(rc, 200, p);
            });
  }

  private static List<UUID> ids(List<JsonObject> people) {
    return people.stream().map(p -> UUID.fromString(p.getString("id"))).toList();
  }
}
