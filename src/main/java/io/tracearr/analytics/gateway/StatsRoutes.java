package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.stats.DailyStat;
import io.tracearr.analytics.stats.LiveToday;
import io.tracearr.analytics.stats.PopularWindow;
import io.tracearr.analytics.stats.StatsRepository;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Duration;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /analytics/stats/**} and {@code /analytics/popular}: reads for viewers and admins.
 *
 * <p>{@code stats/daily} and {@code popular} are served from memory, one cache per gateway instance
 * (its event loop owns it, no locks): roll-up answers (past days, popular windows) stay until the
 * next completed roll-up, announced cluster-wide by {@code events.stats.updated}, so every node
 * drops them (a start or an end triggers a roll-up of today within a second, see {@code
 * AggregatorVerticle}); today's live row is served only while no start or end was heard of since
 * its query began and for at most {@link #LIVE_MAX_AGE}, else the request waits for a newer query
 * ({@link LiveToday}: never a stale answer). Each cache keeps at most {@link #CACHED_ANSWERS}
 * answers, keyed by the request's parameters. The other reads go to PostgreSQL.
 */
public final class StatsRoutes {

  /** the longest range one request may ask for, in days (a year, leap day included) */
  static final int MAX_RANGE_DAYS = 366;

  /**
   * How old today's live figures may be when served (plus the duration of one live query): a
   * session is in {@code stats/daily}'s today at most this long (plus that query) after it was
   * committed.
   */
  public static final Duration LIVE_MAX_AGE = Duration.ofSeconds(1);

  /** answers kept per cache (least recently used dropped first) */
  static final int CACHED_ANSWERS = 64;

  private static final Set<String> CONTENT_TYPES =
      Set.of("movie", "episode", "track", "live", "other");

  private final AppConfig.Analytics cfg;
  private final StatsRepository repository;
  private final LiveToday liveToday;
  private final Map<DailyKey, Future<Map<LocalDate, DailyStat>>> pastDays = bounded();
  private final Map<DailyKey, EncodedDaily> dailyAnswers = bounded();
  private final Map<PopularKey, Future<Buffer>> popularAnswers = bounded();

  private record DailyKey(LocalDate start, LocalDate end, LocalDate today) {}

  /**
   * an encoded answer and the two parts it was made of, so it is reused while both are the same
   * objects
   */
  private record EncodedDaily(
      Map<LocalDate, DailyStat> past, DailyStat live, Buffer body, Buffer gzipped) {}

  private record PopularKey(PopularWindow window, String contentType, int limit) {}

  public StatsRoutes(Vertx vertx, AppConfig.Analytics cfg, StatsRepository repository) {
    this.cfg = cfg;
    this.repository = repository;
    this.liveToday = new LiveToday(repository::liveDay, LIVE_MAX_AGE);
    // published by the aggregator of whichever node ran the roll-up, after it committed
    vertx.eventBus().<JsonObject>consumer(Addresses.STATS_UPDATED, msg -> forgetRollUps());
    // published cluster-wide by the registry that committed the start or end: the next read of
    // today on this node waits for a query that sees it (no stale answer after a change)
    vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_STARTED, msg -> liveToday.changed());
    vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_ENDED, msg -> liveToday.changed());
  }

  private void forgetRollUps() {
    pastDays.clear();
    dailyAnswers.clear();
    popularAnswers.clear();
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
    LocalDate today = repository.calendar().today();
    DailyKey key = new DailyKey(range[0], range[1], today);
    Future<Map<LocalDate, DailyStat>> past =
        cached(pastDays, key, () -> repository.pastDays(range[0], range[1], today));
    Future<DailyStat> live =
        StatsRepository.within(today, range[0], range[1])
            ? liveToday.current(today)
            : Future.succeededFuture(null);
    Future.all(past, live)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                rc.fail(DatabaseErrors.toProblem(ar.cause()));
                return;
              }
              EncodedDaily answer = dailyAnswers.get(key);
              if (answer == null
                  || answer.past() != past.result()
                  || answer.live() != live.result()) {
                List<DailyStat> days =
                    StatsRepository.days(range[0], range[1], today, past.result(), live.result());
                Buffer body =
                    new JsonObject()
                        .put("start", range[0].toString())
                        .put("end", range[1].toString())
                        .put("timezone", cfg.timezone().getId())
                        .put("items", new JsonArray(days.stream().map(DailyStat::toJson).toList()))
                        .toBuffer();
                answer = new EncodedDaily(past.result(), live.result(), body, gzip(body));
                // only while it is still the current roll-up's: a roll-up may have completed while
                // the live query ran
                if (pastDays.get(key) == past) dailyAnswers.put(key, answer);
              }
              send(rc, answer.body(), answer.gzipped());
            });
  }

  /**
   * The answer gzipped once, when it is encoded (a year of days is 61 kB as JSON, a few kB
   * gzipped): bench/run scenario 6 spent the machine copying 200 MB/s of identical answers. Null
   * for small answers, which are sent as they are.
   */
  static Buffer gzip(Buffer body) {
    if (body.length() < 1024) return null;
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(body.length() / 4);
    try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(out)) {
      z.write(body.getBytes());
    } catch (java.io.IOException impossible) {
      return null;
    }
    return Buffer.buffer(out.toByteArray());
  }

  /** Whether the request's Accept-Encoding takes gzip (and does not refuse it with q=0). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) return false;
    Boolean gzip = null;
    Boolean star = null;
    for (String part : acceptEncoding.split(",")) {
      String[] p = part.trim().split(";");
      String coding = p[0].trim().toLowerCase(java.util.Locale.ROOT);
      boolean refused = false;
      for (int i = 1; i < p.length; i++) {
        if (p[i].replace(" ", "").matches("(?i)q=0(\\.0{0,3})?")) refused = true;
      }
      // an explicit gzip wins over "*", whatever the order
      if (coding.equals("gzip")) gzip = !refused;
      else if (coding.equals("*")) star = !refused;
    }
    return gzip != null ? gzip : star != null && star;
  }

  private void popular(RoutingContext rc) {
    allowed(rc);
    PopularWindow window =
        PopularWindow.parse(param(rc, "window", "week"))
            .orElseThrow(
                () -> Problem.validation("window", "must be one of day, week, month, year, all"));
    int limit = RequestParams.intParam(rc, "limit", 10, 1, 100);
    String contentType = param(rc, "content_type", null);
    if (contentType != null && !CONTENT_TYPES.contains(contentType)) {
      throw Problem.validation("content_type", "must be one of movie, episode, track, live, other");
    }
    Future<Buffer> answer =
        cached(
            popularAnswers,
            new PopularKey(window, contentType, limit),
            () ->
                repository
                    .popular(window, contentType, limit)
                    .map(
                        popular -> {
                          LocalDate end = popular.end();
                          LocalDate start =
                              end == null || window == PopularWindow.ALL
                                  ? null
                                  : end.minusDays(window.days() - 1L);
                          return new JsonObject()
                              .put("window", window.id())
                              .put("start", start == null ? null : start.toString())
                              .put("end", end == null ? null : end.toString())
                              .put("items", new JsonArray(List.copyOf(popular.items())))
                              .toBuffer();
                        }));
    answer.onComplete(
        ar -> {
          if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
          else send(rc, ar.result());
        });
  }

  /**
   * The cached answer, or a query started now and cached while it runs, so concurrent requests
   * share one query; a failed query is forgotten (the next request tries again).
   */
  private static <K, V> Future<V> cached(
      Map<K, Future<V>> cache, K key, Supplier<Future<V>> query) {
    Future<V> answer = cache.get(key);
    if (answer != null) return answer;
    Future<V> started = query.get();
    cache.put(key, started);
    started.onFailure(err -> cache.remove(key, started));
    return started;
  }

  private static <K, V> Map<K, V> bounded() {
    return new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > CACHED_ANSWERS;
      }
    };
  }

  private static void send(RoutingContext rc, Buffer body) {
    send(rc, body, null);
  }

  static void send(RoutingContext rc, Buffer body, Buffer gzipped) {
    if (rc.response().ended()) return;
    var response = rc.response().setStatusCode(200).putHeader("Content-Type", "application/json");
    if (gzipped != null) {
      response.putHeader("Vary", "Accept-Encoding");
      if (acceptsGzip(rc.request().getHeader("Accept-Encoding"))) {
        response.putHeader("Content-Encoding", "gzip").end(gzipped);
        return;
      }
    }
    response.end(body);
  }

  private void concurrency(RoutingContext rc) {
    allowed(rc);
    LocalDate[] range = range(rc);
    String bucket = param(rc, "bucket", "hour");
    if (!bucket.equals("hour") && !bucket.equals("day"))
      throw Problem.validation("bucket", "must be hour or day");
    Future<List<StatsRepository.Peak>> peaks =
        bucket.equals("hour")
            ? repository.hourlyPeaks(range[0], range[1])
            : repository.dailyPeaks(range[0], range[1]);
    reply(
        rc,
        peaks,
        items ->
            new JsonObject()
                .put("start", range[0].toString())
                .put("end", range[1].toString())
                .put("bucket", bucket)
                .put("timezone", cfg.timezone().getId())
                .put(
                    "items",
                    new JsonArray(items.stream().map(StatsRepository.Peak::toJson).toList())));
  }

  private void summary(RoutingContext rc) {
    allowed(rc);
    reply(rc, repository.summary(), Function.identity());
  }

  private void allowed(RoutingContext rc) {
    BearerAuth.principal(rc).requireReadAll();
    if (!cfg.enabled())
      throw Problem.unavailable("Analytics are disabled on this node (analytics.enabled: false)");
  }

  /** start and end: valid dates, start <= end, at most {@link #MAX_RANGE_DAYS} days. */
  static LocalDate[] range(RoutingContext rc) {
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
    result.onComplete(
        ar -> {
          if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
          else HttpReplies.json(rc, 200, body.apply(ar.result()));
        });
  }
}
