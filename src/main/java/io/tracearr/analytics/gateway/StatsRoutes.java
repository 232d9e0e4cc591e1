package io.tracearr.analytics.gateway;

import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.stats.DailyStat;
import io.tracearr.analytics.stats.PopularWindow;
import io.tracearr.analytics.stats.StatsRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** {@code /analytics/stats/**} and {@code /analytics/popular}: reads for viewers and admins, straight to PostgreSQL. */
public final class StatsRoutes {

  /** the longest range one request may ask for, in days (a year, leap day included) */
  static final int MAX_RANGE_DAYS = 366;
  private static final Set<String> CONTENT_TYPES = Set.of("movie", "episode", "track", "live", "other");

  private final AppConfig.Analytics cfg;
  private final StatsRepository repository;

  public StatsRoutes(AppConfig.Analytics cfg, StatsRepository repository) {
    this.cfg = cfg;
    this.repository = repository;
  }

  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of(
        "getDailyStats", this::daily,
        "getPopularContent", this::popular,
        "getConcurrency", this::concurrency,
        "getStatsSummary", this::summary);
  }

  private void daily(RoutingContext rc) {
    allowed(rc);
    LocalDate[] range = range(rc);
    reply(rc, repository.daily(range[0], range[1]), days -> new JsonObject()
        .put("start", range[0].toString()).put("end", range[1].toString()).put("timezone", cfg.timezone().getId())
        .put("items", new JsonArray(days.stream().map(DailyStat::toJson).toList())));
  }

  private void popular(RoutingContext rc) {
    allowed(rc);
    PopularWindow window = PopularWindow.parse(param(rc, "window", "week"))
        .orElseThrow(() -> Problem.validation("window", "must be one of day, week, month, year, all"));
    int limit = SessionRoutes.intParam(rc, "limit", 10, 1, 100);
    String contentType = param(rc, "content_type", null);
    if (contentType != null && !CONTENT_TYPES.contains(contentType)) {
      throw Problem.validation("content_type", "must be one of movie, episode, track, live, other");
    }
    reply(rc, repository.popular(window, contentType, limit), popular -> {
      LocalDate end = popular.end();
      LocalDate start = end == null || window == PopularWindow.ALL ? null : end.minusDays(window.days() - 1L);
      return new JsonObject().put("window", window.id())
          .put("start", start == null ? null : start.toString()).put("end", end == null ? null : end.toString())
          .put("items", new JsonArray(List.copyOf(popular.items())));
    });
  }

  private void concurrency(RoutingContext rc) {
    allowed(rc);
    LocalDate[] range = range(rc);
    String bucket = param(rc, "bucket", "hour");
    if (!bucket.equals("hour") && !bucket.equals("day")) throw Problem.validation("bucket", "must be hour or day");
    Future<List<StatsRepository.Peak>> peaks = bucket.equals("hour")
        ? repository.hourlyPeaks(range[0], range[1])
        : repository.dailyPeaks(range[0], range[1]);
    reply(rc, peaks, items -> new JsonObject()
        .put("start", range[0].toString()).put("end", range[1].toString()).put("bucket", bucket)
        .put("timezone", cfg.timezone().getId())
        .put("items", new JsonArray(items.stream().map(StatsRepository.Peak::toJson).toList())));
  }

  private void summary(RoutingContext rc) {
    allowed(rc);
    reply(rc, repository.summary(), Function.identity());
  }

  private void allowed(RoutingContext rc) {
    BearerAuth.principal(rc).requireReadAll();
    if (!cfg.enabled()) throw Problem.unavailable("Analytics are disabled on this node (analytics.enabled: false)");
  }

  /** start and end: valid dates, start <= end, at most {@link #MAX_RANGE_DAYS} days. */
  private static LocalDate[] range(RoutingContext rc) {
    LocalDate start = date(rc, "start");
    LocalDate end = date(rc, "end");
    if (start.isAfter(end)) throw Problem.validation("start", "must not be after end");
    if (ChronoUnit.DAYS.between(start, end) + 1 > MAX_RANGE_DAYS) {
      throw Problem.validation("end", "the range may span at most " + MAX_RANGE_DAYS + " days");
    }
    return new LocalDate[] {start, end};
  }

  private static LocalDate date(RoutingContext rc, String name) {
    String v = rc.queryParams().get(name);
    if (v == null || v.isBlank()) throw Problem.validation(name, "is required (YYYY-MM-DD)");
    try {
      return LocalDate.parse(v.trim());
    } catch (DateTimeParseException e) {
      throw Problem.validation(name, "must be a date YYYY-MM-DD");
    }
  }

  private static String param(RoutingContext rc, String name, String dflt) {
    String v = rc.queryParams().get(name);
    return v == null || v.isEmpty() ? dflt : v;
  }

  private static <T> void reply(RoutingContext rc, Future<T> result, Function<T, JsonObject> body) {
    result.onComplete(ar -> {
      if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
      else HttpReplies.json(rc, 200, body.apply(ar.result()));
    });
  }
}
