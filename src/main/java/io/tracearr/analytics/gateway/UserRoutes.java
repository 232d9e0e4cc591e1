package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.api.Page;
import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.detect.ActivityRepository;
import io.tracearr.analytics.detect.AlertRepository;
import io.tracearr.analytics.detect.UserControlsStore;
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
 * the person and their places from the registry's ({@link UserQueries}), open alerts, devices and
 * the trust score from the detector's ({@code sort=trust}: the detector's order, least trusted
 * first). Per-user controls are {@link UserControlRoutes}.
 */
public final class UserRoutes {

  static final int MAX_Q_LENGTH = 200;
  static final java.util.Set<String> SORTS = java.util.Set.of("last_seen", "trust");

  private final UserQueries users;
  private final AlertRepository alerts;
  private final ActivityRepository activity;
  private final UserControlsStore controls;

  public UserRoutes(
      UserQueries users,
      AlertRepository alerts,
      ActivityRepository activity,
      UserControlsStore controls) {
    this.users = users;
    this.alerts = alerts;
    this.activity = activity;
    this.controls = controls;
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
    String sort = RequestParams.optionalOneOf(rc, "sort", SORTS);
    Future<JsonObject> page;
    if ("trust".equals(sort)) {
      page = leastTrusted(q, only, TrustCursor.decode(rc.queryParams().get("before")), limit);
    } else {
      KeysetCursor cursor = KeysetCursor.decode(rc.queryParams().get("before"));
      page =
          users
              .list(new UserQueries.Filter(q, only), cursor, limit + 1)
              .compose(people -> decorate(people))
              .map(people -> Page.of(people, limit, "last_seen_at"));
    }
    page.onComplete(
        ar -> {
          if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
          else HttpReplies.json(rc, 200, ar.result());
        });
  }

  /** Least trusted first: the order and the scores from the detector, the people from ours. */
  private Future<JsonObject> leastTrusted(String q, UUID only, TrustCursor after, int limit) {
    return controls
        .leastTrusted(
            q,
            only,
            after == null ? null : after.score(),
            after == null ? null : after.id(),
            limit + 1)
        .compose(
            ranked ->
                users
                    .byIds(ranked.stream().map(UserControlsStore.Ranked::id).toList())
                    .compose(this::decorate)
                    .map(
                        people -> {
                          String next = null;
                          if (ranked.size() > limit) {
                            UserControlsStore.Ranked last = ranked.get(limit - 1);
                            next = new TrustCursor(last.score(), last.id()).encode();
                          }
                          List<JsonObject> items =
                              people.size() > limit ? people.subList(0, limit) : people;
                          return new JsonObject()
                              .put("items", new io.vertx.core.json.JsonArray(List.copyOf(items)))
                              .put("next_cursor", next);
                        }));
  }

  /** Adds each person's open alerts and trust score (the detector's, through its query objects). */
  private Future<List<JsonObject>> decorate(List<JsonObject> people) {
    List<UUID> ids = ids(people);
    Future<Map<UUID, Long>> open = alerts.countOpenPerUser(ids);
    Future<Map<UUID, Integer>> trust = controls.trust(ids);
    return Future.all(open, trust)
        .map(
            v -> {
              for (JsonObject p : people) {
                UUID id = UUID.fromString(p.getString("id"));
                p.put("open_alerts", open.result().getOrDefault(id, 0L))
                    .put(
                        "trust_score",
                        trust.result().getOrDefault(id, UserControlsStore.FULL_TRUST));
              }
              return people;
            });
  }

  /** Position in the least-trusted list: opaque to clients, base64url of {@code score|id}. */
  record TrustCursor(int score, UUID id) {
    String encode() {
      return java.util.Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(
              ("trust:" + score + "|" + id).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    static TrustCursor decode(String cursor) {
      if (cursor == null || cursor.isEmpty()) return null;
      try {
        String raw =
            new String(
                java.util.Base64.getUrlDecoder().decode(cursor),
                java.nio.charset.StandardCharsets.UTF_8);
        if (!raw.startsWith("trust:")) throw new IllegalArgumentException(raw);
        int bar = raw.indexOf('|');
        return new TrustCursor(
            Integer.parseInt(raw.substring("trust:".length(), bar)),
            UUID.fromString(raw.substring(bar + 1)));
      } catch (RuntimeException e) {
        throw Problem.validation("before", "is not a cursor this service returned for sort=trust");
      }
    }
  }

  private void get(RoutingContext rc) {
    Principal who = BearerAuth.principal(rc);
    who.requireAnyRead();
    UUID id = RequestParams.pathUuid(rc, "id");
    if (!who.canRead(id)) throw Problem.forbidden("A user token may only read itself");
    Future<java.util.Optional<JsonObject>> person = users.find(id, Instant.now());
    Future<Map<UUID, Long>> open = alerts.countOpenPerUser(List.of(id));
    Future<io.vertx.core.json.JsonArray> devices = activity.devices(id);
    Future<Map<UUID, Integer>> trust = controls.trust(List.of(id));
    Future.all(person, open, devices, trust)
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
                  .put("devices", devices.result())
                  .put("trust_score", trust.result().get(id));
              HttpReplies.json(rc, 200, p);
            });
  }

  private static List<UUID> ids(List<JsonObject> people) {
    return people.stream().map(p -> UUID.fromString(p.getString("id"))).toList();
  }
}
