package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.stats.FreshAnswers;
import io.tracearr.analytics.stats.UsageRepository;
import io.tracearr.analytics.stats.UsageSql;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code stats/plays}, {@code stats/top-users} and {@code stats/bandwidth} (issue 17), for viewers
 * and admins. An answer reads the roll-ups for past days and today's raw sessions; its encoded
 * bytes (and gzip) are then served from the node's {@link FreshAnswers}, keyed by the full query,
 * while no start, end or roll-up was heard of since it was computed and for at most {@link
 * UsageRepository#ANSWER_MAX_AGE}, so a start or end committed on any node is in the first answer
 * after this node heard of it, and a re-rolled past day in the first answer after its roll-up.
 */
public final class UsageRoutes {

  private final AppConfig.Analytics cfg;
  private final UsageRepository repository;
  private final FreshAnswers answers;

  /** the past version of the last roll-up frame that carried one (-1: none yet) */
  private long pastVersionHeard = -1;

  public UsageRoutes(Vertx vertx, AppConfig.Analytics cfg, UsageRepository repository) {
    this.cfg = cfg;
    this.repository = repository;
    this.answers = repository.answers();
    // published cluster-wide by the registry that committed the start or end: today's part moved
    for (String address : List.of(Addresses.SESSION_STARTED, Addresses.SESSION_ENDED)) {
      vertx.eventBus().<JsonObject>consumer(address, msg -> answers.changed());
    }
    // published by the aggregator after each roll-up
    vertx.eventBus().<JsonObject>consumer(Addresses.STATS_UPDATED, msg -> rolledUp(msg.body()));
  }

  /**
   * A roll-up completed. The answers' past parts are cached by usage version already
   * (UsageRepository): a roll-up of today alone leaves them, and today's part is live from the raw
   * sessions (moved by starts and ends, not by roll-ups). So whole answers are only dropped when
   * the frame's {@code past_version} moved, or when the frame does not say (an aggregator that does
   * not send it: a past day may have been rewritten).
   */
  void rolledUp(JsonObject frame) {
    Long version = frame == null ? null : frame.getLong("past_version");
    if (version == null || version != pastVersionHeard) answers.changed();
    if (version != null) pastVersionHeard = version;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "getPlayStats", this::plays,
        "getTopUsers", this::topUsers,
        "getBandwidthStats", this::bandwidth);
  }

  private void plays(RoutingContext rc) {
    allowed(rc);
    LocalDate[] range = StatsRoutes.range(rc);
    String groupBy = rc.queryParams().get("group_by");
    if (groupBy == null || groupBy.isEmpty())
      throw Problem.validation("group_by", "is required, one of " + UsageSql.names());
    if (UsageSql.dimension(groupBy).isEmpty())
      throw Problem.validation("group_by", "must be one of " + UsageSql.names());
    int limit = RequestParams.intParam(rc, "limit", 200, 1, 1000);
    reply(
        rc,
        "plays|" + groupBy + "|" + range[0] + "|" + range[1] + "|" + limit,
        () -> repository.plays(groupBy, range[0], range[1], limit),
        groups ->
            new JsonObject()
                .put("start", range[0].toString())
                .put("end", range[1].toString())
                .put("group_by", groupBy)
                .put("timezone", cfg.timezone().getId())
                .put(
                    "items",
                    new JsonArray(groups.stream().map(UsageRepository.Group::toJson).toList())));
  }

  private void topUsers(RoutingContext rc) {
    allowed(rc);
    String window = rc.queryParams().get("window");
    if (window == null || window.isEmpty()) window = "week";
    LocalDate today = repository.calendar().today();
    LocalDate start =
        switch (window) {
          case "day" -> today;
          case "week" -> today.minusDays(6);
          case "month" -> today.minusDays(29);
          case "year" -> today.minusDays(364);
          case "all" -> LocalDate.of(1970, 1, 1);
          default ->
              throw Problem.validation("window", "must be one of day, week, month, year, all");
        };
    int limit = RequestParams.intParam(rc, "limit", 10, 1, 100);
    String w = window;
    reply(
        rc,
        "top-users|" + w + "|" + start + "|" + today + "|" + limit,
        () -> repository.topUsers(start, today, limit),
        groups ->
            new JsonObject()
                .put("window", w)
                .put("start", w.equals("all") ? null : start.toString())
                .put("end", today.toString())
                .put(
                    "items",
                    new JsonArray(
                        groups.stream()
                            .map(
                                g ->
                                    new JsonObject()
                                        .put("user_id", g.key())
                                        .put(
                                            "user_name",
                                            g.label().equals(g.key()) ? null : g.label())
                                        .put("plays", g.plays())
                                        .put(
                                            "watch_minutes",
                                            UsageRepository.minutes(g.watchSeconds()))
                                        .put("bandwidth_gb", UsageRepository.gigabytes(g.bytes()))
                                        .put(
                                            "last_seen",
                                            g.lastSeen() == null ? null : g.lastSeen().toString()))
                            .toList())));
  }

  private void bandwidth(RoutingContext rc) {
    allowed(rc);
    LocalDate[] range = StatsRoutes.range(rc);
    String groupBy = rc.queryParams().get("group_by");
    if (groupBy == null || groupBy.isEmpty()) groupBy = "day";
    if (!groupBy.equals("day") && !groupBy.equals("user"))
      throw Problem.validation("group_by", "must be day or user");
    int limit = RequestParams.intParam(rc, "limit", 100, 1, 1000);
    String by = groupBy;
    Supplier<Future<List<JsonObject>>> items =
        () ->
            by.equals("day")
                ? repository
                    .bytesPerDay(range[0], range[1])
                    .map(
                        days ->
                            days.entrySet().stream()
                                .map(
                                    e ->
                                        new JsonObject()
                                            .put("key", e.getKey().toString())
                                            .put("label", e.getKey().toString())
                                            .put(
                                                "bandwidth_gb",
                                                UsageRepository.gigabytes(e.getValue())))
                                .toList())
                : repository
                    .bandwidthByUser(range[0], range[1], limit)
                    .map(
                        groups ->
                            groups.stream()
                                .map(
                                    g ->
                                        new JsonObject()
                                            .put("key", g.key())
                                            .put("label", g.label())
                                            .put(
                                                "bandwidth_gb",
                                                UsageRepository.gigabytes(g.bytes())))
                                .toList());
    reply(
        rc,
        "bandwidth|" + by + "|" + range[0] + "|" + range[1] + "|" + limit,
        items,
        list ->
            new JsonObject()
                .put("start", range[0].toString())
                .put("end", range[1].toString())
                .put("group_by", by)
                .put("timezone", cfg.timezone().getId())
                .put("items", new JsonArray(list)));
  }

  private void allowed(RoutingContext rc) {
    BearerAuth.principal(rc).requireReadAll();
    if (!cfg.enabled())
      throw Problem.unavailable("Analytics are disabled on this node (analytics.enabled: false)");
  }

  /**
   * The answer to {@code query} (the operation and its validated parameters) for today, encoded
   * once per computation and served from the node's cache while fresh.
   */
  private <T> void reply(
      RoutingContext rc, String query, Supplier<Future<T>> result, Function<T, JsonObject> body) {
    String key = query + "|" + repository.calendar().today();
    answers
        .get(
            key,
            () ->
                result
                    .get()
                    .map(
                        value -> {
                          Buffer encoded = body.apply(value).toBuffer();
                          return new FreshAnswers.Encoded(encoded, StatsRoutes.gzip(encoded));
                        }))
        .onComplete(
            ar -> {
              if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
              else StatsRoutes.send(rc, ar.result().body(), ar.result().gzipped());
            });
  }
}
