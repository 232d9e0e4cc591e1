package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Every read the stats endpoints make. Past days come from the roll-up tables only; today's daily
 * figures, concurrency and the summary are computed live from the raw sessions that started today
 * (one day through the started_at index, cheap at any history size); popular content is as of the
 * last roll-up.
 */
public final class StatsRepository {

  /**
   * Peak concurrent streams per hour bucket of {@code [$1, $2)}: an exact event sweep (+1 at a
   * start, -1 at an end, summed per instant so an end and a start at the same instant do not
   * overlap), not sampling. Sessions are clipped to the range, so one spanning midnight counts on
   * both days; open ones count until now. Each bucket also gets a zero event at its start, so its
   * peak includes the streams already open then. Hour buckets are absolute hours from $1 (date_bin,
   * PostgreSQL 14+).
   */
  public static final String SWEEP =
      """
      WITH clipped AS (
        SELECT GREATEST(started_at, $1::timestamptz) AS a, LEAST(COALESCE(ended_at, now()), $2::timestamptz) AS b
        FROM playback_sessions
        WHERE tstzrange(started_at, ended_at, '[)') && tstzrange($1::timestamptz, $2::timestamptz, '[)')
      ), events AS (
        SELECT a AS t, 1 AS d FROM clipped WHERE a < b
        UNION ALL SELECT b, -1 FROM clipped WHERE a < b
        UNION ALL SELECT h, 0 FROM generate_series($1::timestamptz, $2::timestamptz - interval '1 microsecond', interval '1 hour') h
      ), running AS (
        -- a RANGE frame sums every event of the same instant together (peers), so no per-instant grouping
        SELECT t, sum(d) OVER (ORDER BY t RANGE UNBOUNDED PRECEDING) AS open FROM events
      )
      SELECT date_bin(interval '1 hour', t, $1::timestamptz) AS hour_start, max(open)::int AS peak
      FROM running WHERE t < $2::timestamptz
      GROUP BY 1""";

  /** A day's figures straight from its raw sessions ($1, $2 = the day's bounds). */
  public static final String LIVE_DAY =
      """
      SELECT count(*) AS sessions,
             COALESCE(sum(duration_seconds), 0)::float8 AS seconds,
             count(DISTINCT user_id) AS users,
             COALESCE(sum(bytes_transferred), 0)::bigint AS bytes,
             count(*) FILTER (WHERE transcoded) AS transcoded,
             (SELECT COALESCE(max(peak), 0) FROM (%s) sweep) AS peak
      FROM playback_sessions
      WHERE started_at >= $1 AND started_at < $2"""
          .formatted(SWEEP);

  /** A day's sums ($1, $2 = the day's bounds): what heartbeats move; one pass, no sort. */
  static final String LIVE_SUMS =
      """
      SELECT count(*) AS sessions,
             COALESCE(sum(duration_seconds), 0)::float8 AS seconds,
             COALESCE(sum(bytes_transferred), 0)::bigint AS bytes,
             count(*) FILTER (WHERE transcoded) AS transcoded
      FROM playback_sessions
      WHERE started_at >= $1 AND started_at < $2""";

  /**
   * A day's unique users and peak concurrency ($1, $2 = the day's bounds): what only a start or an
   * end moves (an open session's end is now, but the peak so far can only rise with a start), and
   * the costly part (a sort of the users, the sweep over every start and end).
   */
  static final String LIVE_PEOPLE =
      """
      SELECT count(DISTINCT user_id) AS users,
             (SELECT COALESCE(max(peak), 0) FROM (%s) sweep) AS peak
      FROM playback_sessions
      WHERE started_at >= $1 AND started_at < $2"""
          .formatted(SWEEP);

  public static final String DAILY =
      """
      SELECT day, total_sessions, total_duration_seconds, unique_users, total_bytes::bigint AS total_bytes,
             transcoded_sessions, peak_concurrent_streams
      FROM daily_stats WHERE day >= $1 AND day <= $2 ORDER BY day""";

  public static final String HOURS =
      """
      SELECT hour_start, peak FROM hourly_concurrency WHERE hour_start >= $1 AND hour_start < $2""";

  /**
   * Top content of a window ($1 window name, $2 its length in days, $3 limit[, $4 content type])
   * from the window totals the roll-up maintains. Unique users over a window are exact (users whose
   * last play of the item falls in the window, content_user_last) and only counted for the
   * candidates: they only break ties in plays, so an item with fewer plays than the limit-th one
   * can never be ranked.
   */
  private static final String POPULAR_TEMPLATE =
      """
      WITH cutoff AS (
        SELECT play_count FROM content_window_totals
        WHERE window_name = $1 %1$s
        ORDER BY play_count DESC OFFSET $3::int - 1 LIMIT 1
      ), candidates AS (
        SELECT t.content_id, t.content_type, t.content_title, t.play_count, t.watch_seconds
        FROM content_window_totals t
        WHERE t.window_name = $1 %1$s AND t.play_count >= COALESCE((SELECT play_count FROM cutoff), 1)
      )
      SELECT c.content_id, c.content_type, c.content_title, c.play_count, c.watch_seconds,
             (SELECT count(*) FROM content_user_last u, rollup_state s
              WHERE u.content_id = c.content_id AND u.last_day <= s.window_anchor
                AND u.last_day > s.window_anchor - $2::int) AS users
      FROM candidates c
      ORDER BY c.play_count DESC, users DESC, c.content_id
      LIMIT $3::int""";

  /**
   * Separate texts with and without the type filter, so each prepared statement keeps its best
   * index.
   */
  public static final String POPULAR = POPULAR_TEMPLATE.formatted("");

  public static final String POPULAR_OF_TYPE = POPULAR_TEMPLATE.formatted("AND content_type = $4");

  static final String WINDOW_ANCHOR = "SELECT window_anchor FROM rollup_state";

  /**
   * Moves in the transaction of every roll-up that rewrites a past day (DayRollupStore and the
   * back-fill, through BackfillStore.usage): past days read after it are at least that new.
   */
  static final String PAST_VERSION = "SELECT usage_version FROM rollup_state";

  public static final String SUMMARY =
      """
      SELECT (SELECT count(*) FROM playback_sessions WHERE ended_at IS NULL) AS active,
             (SELECT count(*) FROM sharing_alerts WHERE status = 'open') AS open_alerts,
             count(*) AS sessions,
             count(DISTINCT user_id) AS users,
             COALESCE(sum(duration_seconds), 0)::float8 AS seconds
      FROM playback_sessions
      WHERE started_at >= $1 AND started_at < $2""";

  /** One bucket of the concurrency series. */
  public record Peak(LocalDate date, Instant start, int peak) {
    public JsonObject toJson() {
      return new JsonObject()
          .put("start", start.toString())
          .put("date", date.toString())
          .put("peak", peak);
    }
  }

  private final Pool pool;
  private final StatsCalendar calendar;

  public StatsRepository(Pool pool, StatsCalendar calendar) {
    this.pool = pool;
    this.calendar = calendar;
  }

  public StatsCalendar calendar() {
    return calendar;
  }

  /**
   * A day's sums from its raw sessions ({@link #LIVE_SUMS}); unique users and peak are 0: see
   * {@link #livePeople}.
   */
  public Future<DailyStat> liveSums(LocalDate day) {
    return dayFigures(LIVE_SUMS, day, r -> sums(day, r));
  }

  /**
   * A day's unique users and peak from its raw sessions ({@link #LIVE_PEOPLE}); the other figures
   * are 0: see {@link #liveSums}.
   */
  public Future<DailyStat> livePeople(LocalDate day) {
    return dayFigures(
        LIVE_PEOPLE,
        day,
        r -> DailyStat.zero(day).withPeople(r.getLong("users"), r.getInteger("peak")));
  }

  /** A day computed from its raw sessions (today, or any day whose sessions are still kept). */
  public Future<DailyStat> liveDay(LocalDate day) {
    return dayFigures(
        LIVE_DAY, day, r -> sums(day, r).withPeople(r.getLong("users"), r.getInteger("peak")));
  }

  /** the columns LIVE_SUMS and LIVE_DAY share; unique users and peak 0 */
  private static DailyStat sums(LocalDate day, Row r) {
    return new DailyStat(
        day,
        r.getLong("sessions"),
        r.getDouble("seconds"),
        0,
        r.getLong("bytes"),
        r.getLong("transcoded"),
        0);
  }

  /** one row of figures over a day's raw sessions ($1, $2 = the day's bounds) */
  private Future<DailyStat> dayFigures(
      String sql, LocalDate day, java.util.function.Function<Row, DailyStat> figures) {
    return pool.preparedQuery(sql)
        .execute(Tuple.of(utc(calendar.start(day)), utc(calendar.end(day))))
        .map(rows -> figures.apply(rows.iterator().next()));
  }

  /**
   * Every day of [start, end] in order: roll-ups for past days, zeros where there is nothing, today
   * live.
   */
  public Future<List<DailyStat>> daily(LocalDate start, LocalDate end) {
    LocalDate today = calendar.today();
    Future<Map<LocalDate, DailyStat>> past = pastDays(start, end, today);
    Future<DailyStat> live =
        within(today, start, end) ? liveDay(today) : Future.succeededFuture(null);
    return Future.all(past, live)
        .map(done -> days(start, end, today, past.result(), live.result()));
  }

  /**
   * The roll-ups of the days of [start, end] before {@code today}, by day (days without one are
   * absent).
   */
  public Future<Map<LocalDate, DailyStat>> pastDays(
      LocalDate start, LocalDate end, LocalDate today) {
    if (!start.isBefore(today)) return Future.succeededFuture(Map.of());
    return pool.preparedQuery(DAILY)
        .execute(Tuple.of(start, min(end, today.minusDays(1))))
        .map(
            rows -> {
              Map<LocalDate, DailyStat> byDay = new HashMap<>();
              for (Row r : rows) byDay.put(r.getLocalDate("day"), rolledUp(r));
              return byDay;
            });
  }

  /**
   * The version of the past days' roll-ups (rollup_state.usage_version): read it before the past
   * days, and keep them while it stays the same.
   */
  public Future<Long> pastVersion() {
    return pool.query(PAST_VERSION)
        .execute()
        .map(rows -> rows.iterator().next().getLong("usage_version"));
  }

  /**
   * Every day of [start, end] in order: {@code past} for days before today, {@code live} for today,
   * else zeros.
   */
  public static List<DailyStat> days(
      LocalDate start,
      LocalDate end,
      LocalDate today,
      Map<LocalDate, DailyStat> past,
      DailyStat live) {
    List<DailyStat> out = new ArrayList<>();
    for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
      DailyStat s = d.equals(today) ? live : past.get(d);
      out.add(s == null ? DailyStat.zero(d) : s);
    }
    return out;
  }

  /**
   * Peak concurrent streams per hour of [start, end]: roll-ups for past days, a live sweep for
   * today.
   */
  public Future<List<Peak>> hourlyPeaks(LocalDate start, LocalDate end) {
    LocalDate today = calendar.today();
    Future<Map<Instant, Integer>> past =
        start.isBefore(today)
            ? pool.preparedQuery(HOURS)
                .execute(
                    Tuple.of(
                        utc(calendar.start(start)),
                        utc(calendar.end(min(end, today.minusDays(1))))))
                .map(StatsRepository::peaksByHour)
            : Future.succeededFuture(Map.of());
    Future<Map<Instant, Integer>> live =
        within(today, start, end)
            ? pool.preparedQuery(SWEEP)
                .execute(Tuple.of(utc(calendar.start(today)), utc(calendar.end(today))))
                .map(StatsRepository::peaksByHour)
            : Future.succeededFuture(Map.of());
    return Future.all(past, live)
        .map(
            done -> {
              List<Peak> out = new ArrayList<>();
              for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(1)) {
                Map<Instant, Integer> source = d.equals(today) ? live.result() : past.result();
                for (Instant h : calendar.hours(d))
                  out.add(new Peak(d, h, source.getOrDefault(h, 0)));
              }
              return out;
            });
  }

  /** Peak concurrent streams per day of [start, end]. */
  public Future<List<Peak>> dailyPeaks(LocalDate start, LocalDate end) {
    return daily(start, end)
        .map(
            days ->
                days.stream()
                    .map(
                        d ->
                            new Peak(d.date(), calendar.start(d.date()), d.peakConcurrentStreams()))
                    .toList());
  }

  /**
   * A window's top content as of the last roll-up, and the last day of the window (null before the
   * first).
   */
  public record Popular(LocalDate end, List<JsonObject> items) {}

  public Future<Popular> popular(PopularWindow window, String contentType, int limit) {
    Future<io.vertx.sqlclient.RowSet<Row>> rows =
        contentType == null
            ? pool.preparedQuery(POPULAR).execute(Tuple.of(window.id(), window.days(), limit))
            : pool.preparedQuery(POPULAR_OF_TYPE)
                .execute(Tuple.of(window.id(), window.days(), limit, contentType));
    Future<LocalDate> anchor =
        pool.query(WINDOW_ANCHOR)
            .execute()
            .map(r -> r.iterator().next().getLocalDate("window_anchor"));
    return Future.all(rows, anchor)
        .map(
            done -> {
              List<JsonObject> items = new ArrayList<>();
              for (Row r : rows.result()) {
                items.add(
                    new JsonObject()
                        .put("content_id", r.getUUID("content_id").toString())
                        .put("content_type", r.getString("content_type"))
                        .put("content_title", r.getString("content_title"))
                        .put("play_count", r.getLong("play_count"))
                        .put("unique_users", r.getLong("users"))
                        .put(
                            "total_watch_minutes",
                            (long) Math.floor(r.getDouble("watch_seconds") / 60 + 1e-9)));
              }
              return new Popular(anchor.result(), items);
            });
  }

  /** What a dashboard header shows, all live. */
  public Future<JsonObject> summary() {
    LocalDate today = calendar.today();
    return pool.preparedQuery(SUMMARY)
        .execute(Tuple.of(utc(calendar.start(today)), utc(calendar.end(today))))
        .map(
            rows -> {
              Row r = rows.iterator().next();
              return new JsonObject()
                  .put("date", today.toString())
                  .put("active_streams", r.getLong("active"))
                  .put("sessions_today", r.getLong("sessions"))
                  .put("unique_users_today", r.getLong("users"))
                  .put("watch_hours_today", Math.floor(r.getDouble("seconds") / 36 + 1e-9) / 100)
                  .put("open_alerts", r.getLong("open_alerts"));
            });
  }

  static DailyStat rolledUp(Row r) {
    return new DailyStat(
        r.getLocalDate("day"),
        r.getLong("total_sessions"),
        r.getDouble("total_duration_seconds"),
        r.getLong("unique_users"),
        r.getLong("total_bytes"),
        r.getLong("transcoded_sessions"),
        r.getInteger("peak_concurrent_streams"));
  }

  private static Map<Instant, Integer> peaksByHour(io.vertx.sqlclient.RowSet<Row> rows) {
    Map<Instant, Integer> out = new HashMap<>();
    for (Row r : rows) out.put(r.getOffsetDateTime("hour_start").toInstant(), r.getInteger("peak"));
    return out;
  }

  public static boolean within(LocalDate day, LocalDate start, LocalDate end) {
    return !day.isBefore(start) && !day.isAfter(end);
  }

  private static LocalDate min(LocalDate a, LocalDate b) {
    return a.isBefore(b) ? a : b;
  }
}
