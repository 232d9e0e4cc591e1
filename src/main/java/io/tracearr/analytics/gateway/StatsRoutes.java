package io.tracearr.analytics.gateway;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.gateway.auth.BearerAuth;
import io.tracearr.analytics.gateway.http.HttpReplies;
import io.tracearr.analytics.gateway.http.RequestParams;
import io.tracearr.analytics.stats.DailyAnswer;
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
import java.util.HashMap;
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
 * (its event loop owns it, no locks). {@code popular} answers stay until the next completed
 * roll-up, announced cluster-wide by {@code events.stats.updated} (a start or an end triggers a
 * roll-up of today within a second, see {@code AggregatorVerticle}). {@code stats/daily}'s past
 * part (the days before today, encoded once as a {@link DailyAnswer}) stays across roll-ups of
 * today: it is kept under the past version (rollup_state.usage_version, moved by every roll-up that
 * rewrites a past day), checked once after a roll-up frame that does not say the version is
 * unchanged. Today's live row is spliced into it once per new live row ({@link LiveToday}: never a
 * stale answer after a start or end). Each cache keeps at most {@link #CACHED_ANSWERS} answers,
 * keyed by the request's parameters. The other reads go to PostgreSQL.
 */
public final class StatsRoutes {

  /** the longest range one request may ask for, in days (a year, leap day included) */
  static final int MAX_RANGE_DAYS = 366;

  /**
   * How old today's live figures may be when served (plus the duration of one live query) while no
   * start or end was heard of: it bounds how far watch time and bytes (moved by heartbeats, which
   * clients send every ~10 s) lag, and how late a start or end whose event was lost shows. A start
   * or end whose event arrives is in the first read after it. Each event loop recomputes today from
   * its raw sessions once per half of this age under steady reads: at 1 s, with 87 000 sessions
   * today, those queries (0.1-1.6 s each under load) ran back to back and `stats/daily` waited on
   * them (p99 1.46 s, issue 18 session 6); at 5 s they run a fifth as often.
   */
  public static final Duration LIVE_MAX_AGE = Duration.ofSeconds(5);

  /** answers kept per cache (least recently used dropped first) */
  static final int CACHED_ANSWERS = 64;

  private static final Set<String> CONTENT_TYPES =
      Set.of("movie", "episode", "track", "live", "other");

  private final AppConfig.Analytics cfg;
  private final StatsRepository repository;
  private final LiveToday liveToday;
  private final Map<DailyKey, Past> pastParts = bounded();
  private final Map<PopularKey, Future<Buffer>> popularAnswers = bounded();

  /**
   * The past version ({@link StatsRepository#pastVersion}) the cached past parts were read at, or
   * -1 before the first check.
   */
  private long pastVersion = -1;

  /**
   * Whether {@link #pastVersion} is known to be current: false after a roll-up whose frame does not
   * say it left the past days alone, until a check read the version again.
   */
  private boolean pastVerified;

  /** moves with every roll-up heard of: a check started before one does not verify after it */
  private long rollUpsHeard;

  private Future<Void> versionCheck;

  /** roll-up frames handled by every instance of the JVM (tests wait for theirs) */
  private static final java.util.concurrent.atomic.AtomicLong FRAMES_HANDLED =
      new java.util.concurrent.atomic.AtomicLong();

  static long framesHandled() {
    return FRAMES_HANDLED.get();
  }

  /**
   * The parts of the last answers made before the past version moved: a past part read again at the
   * new version that equals one of these keeps its encoded bytes (a re-roll that changed nothing).
   */
  private Map<DailyKey, DailyAnswer> previousParts = Map.of();

  private record DailyKey(LocalDate start, LocalDate end, LocalDate today) {}

  /**
   * One range's past part (encoded once, shared by the requests waiting for it) and the last answer
   * spliced from it, kept while today's live row is the same object.
   */
  private static final class Past {
    final Future<DailyAnswer> parts;
    DailyStat live;
    DailyAnswer.Encoded answer;

    Past(Future<DailyAnswer> parts) {
      this.parts = parts;
    }
  }

  private record PopularKey(PopularWindow window, String contentType, int limit) {}

  public StatsRoutes(Vertx vertx, AppConfig.Analytics cfg, StatsRepository repository) {
    this.cfg = cfg;
    this.repository = repository;
    this.liveToday = new LiveToday(repository::liveSums, repository::livePeople, LIVE_MAX_AGE);
    // published by the aggregator of whichever node ran the roll-up, after it committed
    vertx.eventBus().<JsonObject>consumer(Addresses.STATS_UPDATED, msg -> rolledUp(msg.body()));
    // published cluster-wide by the registry that committed the start or end: the next read of
    // today on this node waits for a query that sees it (no stale answer after a change)
    vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_STARTED, msg -> liveToday.changed());
    vertx.eventBus().<JsonObject>consumer(Addresses.SESSION_ENDED, msg -> liveToday.changed());
  }

  /**
   * A roll-up completed somewhere in the cluster. Popular windows follow today, so their answers
   * go. The past days only change when a run re-rolled a past day, which moves the past version in
   * the same transaction: the frame's {@code past_version} (when the aggregator sends it) says
   * whether it moved; without it, the next read checks the version (one single-row query) before it
   * uses the past part. A frame for a day before today (a run that crossed midnight) rewrote what
   * is now a past day without moving the version: the past parts go.
   */
  void rolledUp(JsonObject frame) {
    popularAnswers.clear();
    rollUpsHeard++;
    FRAMES_HANDLED.incrementAndGet();
    Long version = frame == null ? null : frame.getLong("past_version");
    String day = frame == null ? null : frame.getString("date");
    boolean crossedMidnight =
        day != null && day.compareTo(repository.calendar().today().toString()) < 0;
    if (crossedMidnight || version == null) {
      if (crossedMidnight) forgetPast(-1);
      pastVerified = false;
      // a check in flight may have read the version before this roll-up committed: reads from now
      // on wait for a new one
      versionCheck = null;
    } else if (version != pastVersion) {
      forgetPast(version);
      pastVerified = true;
    }
  }

  /** The past parts were read at an older version: the next reads read them again. */
  private void forgetPast(long version) {
    Map<DailyKey, DailyAnswer> previous = new HashMap<>();
    pastParts.forEach(
        (k, p) -> {
          if (p.parts.succeeded()) previous.put(k, p.parts.result());
        });
    previousParts = previous;
    pastParts.clear();
    pastVersion = version;
  }

  /** Completes once {@link #pastVersion} is current (a check shared by concurrent reads). */
  private Future<Void> pastVersionChecked() {
    if (pastVerified) return null;
    if (versionCheck != null) return versionCheck;
    long heard = rollUpsHeard;
    Future<Void> check =
        repository
            .pastVersion()
            .map(
                version -> {
                  if (version != pastVersion) forgetPast(version);
                  // a roll-up heard of while the check ran may have moved it again
                  if (rollUpsHeard == heard) pastVerified = true;
                  return null;
                });
    versionCheck = check;
    check.onComplete(
        ar -> {
          if (versionCheck == check) versionCheck = null;
        });
    return check;
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
    Future<Void> checked = pastVersionChecked();
    if (checked == null) daily(rc, key);
    else
      checked.onComplete(
          ar -> {
            if (ar.failed()) rc.fail(DatabaseErrors.toProblem(ar.cause()));
            else daily(rc, key);
          });
  }

  private void daily(RoutingContext rc, DailyKey key) {
    Past past = pastParts.get(key);
    if (past == null) {
      past = new Past(pastPart(key));
      Past started = past;
      pastParts.put(key, started);
      started.parts.onFailure(err -> pastParts.remove(key, started));
    }
    Future<DailyStat> live =
        StatsRepository.within(key.today(), key.start(), key.end())
            ? liveToday.current(key.today())
            : Future.succeededFuture(null);
    Past p = past;
    if (p.parts.isComplete() && live.isComplete()) {
      answer(rc, p, live);
      return;
    }
    Future.all(p.parts, live).onComplete(ar -> answer(rc, p, live));
  }

  /** The past days of the key's range at the current past version, encoded once. */
  private Future<DailyAnswer> pastPart(DailyKey key) {
    // read after the version (a past part is at least as new as the version it is kept under);
    // when the version moves, forgetPast drops this entry, in flight or not
    return repository
        .pastDays(key.start(), key.end(), key.today())
        .map(
            days -> {
              DailyAnswer previous = previousParts.get(key);
              // a re-roll that left these days as they were: same bytes as before
              if (previous != null && previous.past().equals(days)) return previous;
              return new DailyAnswer(
                  key.start(), key.end(), key.today(), cfg.timezone().getId(), days);
            });
  }

  private void answer(RoutingContext rc, Past past, Future<DailyStat> live) {
    if (past.parts.failed() || live.failed()) {
      rc.fail(DatabaseErrors.toProblem(past.parts.failed() ? past.parts.cause() : live.cause()));
      return;
    }
    DailyStat row = live.result();
    DailyAnswer.Encoded answer = past.answer;
    if (answer == null || (past.live != row && !java.util.Objects.equals(past.live, row))) {
      // once per new live row (at most once a second, or after a start or end), not per request
      answer = past.parts.result().with(row);
      past.answer = answer;
      past.live = row;
    } else past.live = row;
    send(rc, answer.body(), answer.gzipped());
  }

  /**
   * The answer gzipped once, when it is encoded (a year of days is 61 kB as JSON, a few kB
   * gzipped): bench/run scenario 6 spent the machine copying 200 MB/s of identical answers. Null
   * for small answers, which are sent as they are.
   */
  static Buffer gzip(Buffer body) {
    return DailyAnswer.gzip(body);
  }

  /** the last Accept-Encoding parsed and its verdict: clients send the same header every time */
  private record AcceptEncoding(String header, boolean gzip) {}

  private static volatile AcceptEncoding lastAcceptEncoding = new AcceptEncoding("", false);

  /** Whether the request's Accept-Encoding takes gzip (and does not refuse it with q=0). */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) return false;
    AcceptEncoding last = lastAcceptEncoding;
    if (last.header().equals(acceptEncoding)) return last.gzip();
    boolean gzip = parseAcceptsGzip(acceptEncoding);
    lastAcceptEncoding = new AcceptEncoding(acceptEncoding, gzip);
    return gzip;
  }

  private static boolean parseAcceptsGzip(String acceptEncoding) {
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
      return RequestParams.isoDate(v.trim());
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
