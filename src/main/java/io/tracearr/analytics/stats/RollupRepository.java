package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Every write the roll-up and retention jobs make, and the bookkeeping reads that plan them. */
public final class RollupRepository {

  /**
   * One advisory lock for every roll-up write (key 51050, 0): roll-ups of different days all update the
   * popular windows, so they are serialised cluster-wide; each day's transaction is short, and the lock is
   * released between days so runs interleave.
   */
  private static final int ROLLUP_LOCK = 51050;

  /**
   * A past day is final only once nothing can change it any more: no session that started before its end is
   * still open (durations and concurrency still moving), and a grace period after midnight has passed. Late
   * starts after that are found through the partial index on created_at (which needs the grace to exceed
   * its 5 minutes).
   */
  static final String FINALIZE_GRACE = "interval '10 minutes'";

  private static final String LOCK = "SELECT pg_advisory_lock(%d, 0)".formatted(ROLLUP_LOCK);
  private static final String UNLOCK = "SELECT pg_advisory_unlock(%d, 0)".formatted(ROLLUP_LOCK);
  private static final String IS_FINALIZED = "SELECT finalized FROM daily_stats WHERE day = $1";

  private static final String DELETE_HOURS = "DELETE FROM hourly_concurrency WHERE hour_start >= $1 AND hour_start < $2";
  /** zero hours are not stored: a missing hour reads as 0 */
  private static final String INSERT_HOURS = """
      INSERT INTO hourly_concurrency (hour_start, peak)
      SELECT hour_start, peak FROM (%s) sweep WHERE peak > 0""".formatted(StatsRepository.SWEEP);

  /**
   * Moves each (content, user) pair that played that day to its latest day. Only ever forward: a play never
   * disappears from a day (durations only grow), and a re-rolled older day must not move it back.
   */
  private static final String UPSERT_USER_LAST = """
      INSERT INTO content_user_last AS l (content_id, user_id, last_day)
      SELECT DISTINCT content_id, user_id, $1::date FROM playback_sessions
      WHERE started_at >= $2 AND started_at < $3 AND duration_seconds >= $4::float8
      ON CONFLICT (content_id, user_id) DO UPDATE SET last_day = EXCLUDED.last_day
      WHERE l.last_day < EXCLUDED.last_day""";

  /**
   * The change a day's re-roll makes to its per-content plays and watch time, applied to every popular window
   * holding that day (relative to the stored window anchor). Runs before daily_content_stats is rewritten, so
   * "old" is what the windows already hold for the day. A content item that disappears from the day carries
   * no type/title (title_day -infinity never wins).
   */
  private static final String APPLY_WINDOW_DELTA = """
      WITH fresh AS (
        SELECT content_id,
               (array_agg(content_type ORDER BY started_at DESC, id DESC))[1] AS content_type,
               (array_agg(content_title ORDER BY started_at DESC, id DESC) FILTER (WHERE content_title IS NOT NULL))[1] AS content_title,
               count(*) AS plays, sum(duration_seconds) AS watch
        FROM playback_sessions
        WHERE started_at >= $2 AND started_at < $3 AND duration_seconds >= $4::float8
        GROUP BY content_id
      ), old AS (
        SELECT content_id, content_type, content_title, play_count AS plays, total_watch_seconds AS watch
        FROM daily_content_stats WHERE day = $1::date
      ), delta AS (
        SELECT COALESCE(f.content_id, o.content_id) AS content_id,
               COALESCE(f.content_type, o.content_type) AS content_type,
               f.content_title,
               CASE WHEN f.content_id IS NULL THEN '-infinity'::date ELSE $1::date END AS title_day,
               COALESCE(f.plays, 0) - COALESCE(o.plays, 0) AS plays,
               COALESCE(f.watch, 0) - COALESCE(o.watch, 0) AS watch
        FROM fresh f FULL JOIN old o ON o.content_id = f.content_id
        WHERE (f.plays, f.watch, f.content_type, f.content_title) IS DISTINCT FROM (o.plays, o.watch, o.content_type, o.content_title)
      )
      INSERT INTO content_window_totals AS t (window_name, content_id, content_type, content_title, title_day,
                                              play_count, watch_seconds)
      SELECT w.name, d.content_id, d.content_type, d.content_title, d.title_day, d.plays, d.watch
      FROM delta d
      CROSS JOIN %s AS w(name, len)
      CROSS JOIN rollup_state s
      WHERE $1::date <= s.window_anchor AND $1::date > s.window_anchor - w.len
      ON CONFLICT (window_name, content_id) DO UPDATE SET
        play_count = t.play_count + EXCLUDED.play_count,
        watch_seconds = t.watch_seconds + EXCLUDED.watch_seconds,
        content_type = CASE WHEN EXCLUDED.title_day >= t.title_day THEN EXCLUDED.content_type ELSE t.content_type END,
        content_title = CASE WHEN EXCLUDED.title_day >= t.title_day THEN COALESCE(EXCLUDED.content_title, t.content_title)
                             ELSE t.content_title END,
        title_day = GREATEST(t.title_day, EXCLUDED.title_day)""".formatted(PopularWindow.valuesSql());

  private static final String DROP_EMPTY_WINDOW_ROWS = """
      DELETE FROM content_window_totals WHERE window_name IN ('day', 'week', 'month', 'year', 'all') AND play_count <= 0""";

  private static final String WINDOW_ANCHOR = "SELECT window_anchor FROM rollup_state FOR UPDATE";
  private static final String DROP_WINDOW_ANCHOR = "UPDATE rollup_state SET window_anchor = NULL";
  private static final String SET_WINDOW_ANCHOR = "UPDATE rollup_state SET window_anchor = $1";
  private static final String CLEAR_WINDOWS = "DELETE FROM content_window_totals";
  /** the windows ending at $1, from the per-day roll-ups (first build only) */
  static final String BUILD_WINDOWS = """
      INSERT INTO content_window_totals (window_name, content_id, content_type, content_title, title_day, play_count,
                                         watch_seconds)
      SELECT w.name, c.content_id,
             (array_agg(c.content_type ORDER BY c.day DESC))[1],
             (array_agg(c.content_title ORDER BY c.day DESC) FILTER (WHERE c.content_title IS NOT NULL))[1],
             max(c.day), sum(c.play_count), sum(c.total_watch_seconds)
      FROM %s AS w(name, len)
      JOIN daily_content_stats c ON c.day <= $1::date AND c.day > $1::date - w.len
      GROUP BY w.name, c.content_id""".formatted(PopularWindow.valuesSql());
  /** moving the windows' end from $1 to $2: subtract the days that fall out of each window */
  private static final String SHIFT_WINDOWS = """
      WITH leaving AS (
        SELECT w.name, c.content_id, sum(c.play_count) AS plays, sum(c.total_watch_seconds) AS watch
        FROM %s AS w(name, len)
        JOIN daily_content_stats c ON c.day > $1::date - w.len AND c.day <= LEAST($1::date, $2::date - w.len)
        GROUP BY w.name, c.content_id
      )
      UPDATE content_window_totals t SET play_count = t.play_count - l.plays, watch_seconds = t.watch_seconds - l.watch
      FROM leaving l
      WHERE t.window_name = l.name AND t.content_id = l.content_id""".formatted(PopularWindow.valuesSql());

  private static final String DELETE_CONTENT = "DELETE FROM daily_content_stats WHERE day = $1";
  /** the latest non-null title (and type) reported that day names the item */
  private static final String INSERT_CONTENT = """
      INSERT INTO daily_content_stats (day, content_id, content_type, content_title, play_count, unique_users,
                                       total_watch_seconds)
      SELECT $1::date, content_id,
             (array_agg(content_type ORDER BY started_at DESC, id DESC))[1],
             (array_agg(content_title ORDER BY started_at DESC, id DESC) FILTER (WHERE content_title IS NOT NULL))[1],
             count(*), count(DISTINCT user_id), sum(duration_seconds)
      FROM playback_sessions
      WHERE started_at >= $2 AND started_at < $3 AND duration_seconds >= $4::float8
      GROUP BY content_id""";

  private static final String DAY_COLUMNS = """
      daily_stats AS d (day, total_sessions, total_duration_seconds, unique_users, total_bytes, transcoded_sessions,
                        peak_concurrent_streams, finalized, rolled_up_at)""";
  /** Idempotent: an unchanged day is not even rewritten (rolled_up_at stays). */
  private static final String DAY_CONFLICT = """
      ON CONFLICT (day) DO UPDATE SET
        total_sessions = EXCLUDED.total_sessions,
        total_duration_seconds = EXCLUDED.total_duration_seconds,
        unique_users = EXCLUDED.unique_users,
        total_bytes = EXCLUDED.total_bytes,
        transcoded_sessions = EXCLUDED.transcoded_sessions,
        peak_concurrent_streams = EXCLUDED.peak_concurrent_streams,
        finalized = EXCLUDED.finalized,
        rolled_up_at = EXCLUDED.rolled_up_at
      WHERE (d.total_sessions, d.total_duration_seconds, d.unique_users, d.total_bytes, d.transcoded_sessions,
             d.peak_concurrent_streams, d.finalized)
        IS DISTINCT FROM (EXCLUDED.total_sessions, EXCLUDED.total_duration_seconds, EXCLUDED.unique_users,
             EXCLUDED.total_bytes, EXCLUDED.transcoded_sessions, EXCLUDED.peak_concurrent_streams, EXCLUDED.finalized)""";

  private static final String UPSERT_DAY = """
      INSERT INTO %s
      SELECT $1::date, count(*), COALESCE(sum(s.duration_seconds), 0), count(DISTINCT s.user_id),
             COALESCE(sum(s.bytes_transferred), 0), count(*) FILTER (WHERE s.transcoded),
             (SELECT COALESCE(max(h.peak), 0) FROM hourly_concurrency h WHERE h.hour_start >= $2 AND h.hour_start < $3),
             $4::boolean AND now() >= $3 + %s
               AND NOT EXISTS (SELECT 1 FROM playback_sessions o WHERE o.ended_at IS NULL AND o.started_at < $3),
             now()
      FROM playback_sessions s
      WHERE s.started_at >= $2 AND s.started_at < $3
      %s""".formatted(DAY_COLUMNS, FINALIZE_GRACE, DAY_CONFLICT);

  // ---- set-wise back-fill of a run of consecutive days: the same results as rolling each day on its own ----
  // Parameters: $1 the days (ascending, consecutive), $2 their bounds (n + 1 instants: each day's start, then the
  // last day's end), $3 and $4 the first and last bound, [$5 min_play_seconds]. A session's day is its bucket in
  // $2 (width_bucket: a binary search), so the day boundaries stay the calendar's, DST included.

  /** an in-memory sort or hash for the run's few million rows instead of spilling to disk at the default 4 MB */
  private static final String BACKFILL_WORK_MEM = "SET LOCAL work_mem = '256MB'";

  private static final String EXPORT_SNAPSHOT = "SELECT pg_export_snapshot()";

  private static final String BACKFILL_USER_LAST = """
      INSERT INTO content_user_last AS l (content_id, user_id, last_day)
      SELECT content_id, user_id, ($1::date[])[max(width_bucket(started_at, $2::timestamptz[]))]
      FROM playback_sessions
      WHERE started_at >= $3 AND started_at < $4 AND duration_seconds >= $5::float8
      GROUP BY content_id, user_id
      -- in key order: millions of rows go into both b-trees page after page, not scattered over them
      ORDER BY content_id, user_id
      ON CONFLICT (content_id, user_id) DO UPDATE SET last_day = EXCLUDED.last_day
      WHERE l.last_day < EXCLUDED.last_day""";

  private static final String BACKFILL_DELETE_CONTENT = "DELETE FROM daily_content_stats WHERE day >= $1 AND day <= $2";

  private static final String BACKFILL_CONTENT = """
      INSERT INTO daily_content_stats (day, content_id, content_type, content_title, play_count, unique_users,
                                       total_watch_seconds)
      SELECT ($1::date[])[b], content_id,
             (array_agg(content_type ORDER BY started_at DESC, id DESC))[1],
             (array_agg(content_title ORDER BY started_at DESC, id DESC) FILTER (WHERE content_title IS NOT NULL))[1],
             count(*), count(DISTINCT user_id), sum(duration_seconds)
      FROM (SELECT width_bucket(started_at, $2::timestamptz[]) AS b, id, started_at, content_id, content_type,
                   content_title, user_id, duration_seconds
            FROM playback_sessions
            WHERE started_at >= $3 AND started_at < $4 AND duration_seconds >= $5::float8) s
      GROUP BY b, content_id""";

  /** every day of the run gets a row, empty ones included (zeros), as the per-day upsert gives */
  private static final String BACKFILL_DAYS = """
      WITH days AS (
        SELECT d.day, d.ord::int AS b, ($2::timestamptz[])[d.ord + 1] AS day_end
        FROM unnest($1::date[]) WITH ORDINALITY AS d(day, ord)
      ), sums AS (
        SELECT width_bucket(started_at, $2::timestamptz[]) AS b, count(*) AS sessions,
               sum(duration_seconds) AS seconds, count(DISTINCT user_id) AS users,
               sum(bytes_transferred) AS bytes, count(*) FILTER (WHERE transcoded) AS transcoded
        FROM playback_sessions
        WHERE started_at >= $3 AND started_at < $4
        GROUP BY 1
      ), peaks AS (
        SELECT width_bucket(hour_start, $2::timestamptz[]) AS b, max(peak) AS peak
        FROM hourly_concurrency
        WHERE hour_start >= $3 AND hour_start < $4
        GROUP BY 1
      )
      INSERT INTO %s
      SELECT days.day, COALESCE(s.sessions, 0), COALESCE(s.seconds, 0), COALESCE(s.users, 0), COALESCE(s.bytes, 0),
             COALESCE(s.transcoded, 0), COALESCE(p.peak, 0),
             now() >= days.day_end + %s
               AND NOT EXISTS (SELECT 1 FROM playback_sessions o WHERE o.ended_at IS NULL AND o.started_at < days.day_end),
             now()
      FROM days LEFT JOIN sums s USING (b) LEFT JOIN peaks p USING (b)
      %s""".formatted(DAY_COLUMNS, FINALIZE_GRACE, DAY_CONFLICT);

  private static final String READ_DAY = """
      SELECT day, total_sessions, total_duration_seconds, unique_users, total_bytes::bigint AS total_bytes,
             transcoded_sessions, peak_concurrent_streams
      FROM daily_stats WHERE day = $1""";

  private static final String STATE = "SELECT late_watermark, now() AS db_now FROM rollup_state";
  private static final String ADVANCE_WATERMARK =
      "UPDATE rollup_state SET late_watermark = GREATEST(late_watermark, $1)";
  /**
   * The predicate repeats the partial index's, so the planner can use it. The min is taken over a sub-select
   * the planner may not flatten (OFFSET 0): a bare min(started_at) lets it walk playback_sessions_started in
   * order hoping to meet a late row early, which reads the whole table when there is none (63 s at 10 M rows).
   */
  private static final String EARLIEST_LATE_START = """
      SELECT min(started_at) AS started_at FROM (
        SELECT started_at FROM playback_sessions
        WHERE created_at - started_at > interval '5 minutes' AND created_at > $1
        OFFSET 0) late""";
  private static final String EARLIEST_START = "SELECT min(started_at) AS started_at FROM playback_sessions";
  private static final String UNFINALIZED = "SELECT day FROM daily_stats WHERE NOT finalized AND day < $1 ORDER BY day";
  private static final String ROLLED_UP_DAYS = "SELECT day FROM daily_stats WHERE day >= $1 AND day < $2";
  private static final String FINALIZED_DAYS = "SELECT day FROM daily_stats WHERE finalized AND day >= $1 AND day < $2";

  /** One batch per statement, so the sessions table never sees a long-held lock or a huge transaction. */
  private static final String DELETE_SESSIONS_BATCH = """
      DELETE FROM playback_sessions WHERE id IN (
        SELECT id FROM playback_sessions WHERE started_at < $1 AND ended_at IS NOT NULL LIMIT $2)""";
  private static final String DELETE_ALERTS_BATCH = """
      DELETE FROM sharing_alerts WHERE id IN (
        SELECT id FROM sharing_alerts
        WHERE status = 'dismissed' AND (dismissed_at < $1 OR (dismissed_at IS NULL AND updated_at < $1))
        LIMIT $2)""";

  public record State(Instant watermark, Instant dbNow) {}

  private final Pool pool;

  public RollupRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<State> state() {
    return pool.query(STATE).execute().map(rows -> {
      Row r = rows.iterator().next();
      return new State(r.getOffsetDateTime("late_watermark").toInstant(), r.getOffsetDateTime("db_now").toInstant());
    });
  }

  public Future<Void> advanceWatermark(Instant to) {
    return pool.preparedQuery(ADVANCE_WATERMARK).execute(Tuple.of(utc(to))).mapEmpty();
  }

  /** The earliest start among sessions reported late (created well after they started) since {@code since}. */
  public Future<Optional<Instant>> earliestLateStart(Instant since) {
    return pool.preparedQuery(EARLIEST_LATE_START).execute(Tuple.of(utc(since))).map(RollupRepository::instant);
  }

  public Future<Optional<Instant>> earliestStart() {
    return pool.query(EARLIEST_START).execute().map(RollupRepository::instant);
  }

  public Future<List<LocalDate>> unfinalizedBefore(LocalDate day) {
    return pool.preparedQuery(UNFINALIZED).execute(Tuple.of(day)).map(rows -> {
      List<LocalDate> out = new ArrayList<>();
      for (Row r : rows) out.add(r.getLocalDate("day"));
      return out;
    });
  }

  /** Days of [from, to) that have a roll-up row. */
  public Future<Set<LocalDate>> rolledUpDays(LocalDate from, LocalDate to) {
    return days(ROLLED_UP_DAYS, from, to);
  }

  /** Days of [from, to) whose roll-up is final. */
  public Future<Set<LocalDate>> finalizedDays(LocalDate from, LocalDate to) {
    return days(FINALIZED_DAYS, from, to);
  }

  public Future<Optional<DailyStat>> read(LocalDate day) {
    return pool.preparedQuery(READ_DAY).execute(Tuple.of(day))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(StatsRepository.rolledUp(rows.iterator().next())));
  }

  /**
   * Recomputes one day's roll-ups from its raw sessions, in one REPEATABLE READ transaction (one snapshot for
   * the sweep, the sums and the finalisation check) under the roll-up lock, so two nodes or two runs never
   * interleave. Unless {@code force}, a day found final under the lock is left alone
   * (another run got there first). Returns whether the day was recomputed.
   */
  public Future<Boolean> rollDay(LocalDate day, Instant start, Instant end, double minPlaySeconds, boolean finalizable,
      boolean force) {
    return locked(conn -> (force ? Future.succeededFuture(false) : isFinalized(conn, day))
        .compose(finalized -> finalized ? Future.succeededFuture(false)
            : recompute(conn, day, utc(start), utc(end), minPlaySeconds, finalizable).map(true)));
  }

  /**
   * Recomputes a run of consecutive past days set-wise: one statement per roll-up table for the whole run, with
   * the same results as {@link #rollDay} of each day (not forced). Days found final under the lock are left
   * alone. The popular windows are cleared (the caller rebuilds them with {@link #alignWindows}): the run's days
   * apply no per-day change to them. Every bound of {@code days} must be a whole number of hours after the
   * first (hour buckets of the concurrency sweep are counted from it). Returns the days recomputed.
   *
   * <p>The work is split over two connections that share one snapshot (REPEATABLE READ, exported by the
   * transaction holding the roll-up lock), so PostgreSQL uses two cores: content_user_last (the largest write)
   * on one, hours, daily_content_stats and daily_stats on the other. content_user_last commits first: if the
   * second commit fails, the days are still missing and the next run recomputes them (content_user_last only
   * moves forward, so applying it twice changes nothing).
   */
  public Future<List<LocalDate>> backfill(List<LocalDate> days, StatsCalendar calendar, double minPlaySeconds) {
    LocalDate first = days.get(0);
    LocalDate last = days.get(days.size() - 1);
    return locked(conn -> conn.begin().compose(tx -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
        .compose(v -> conn.query(BACKFILL_WORK_MEM).execute())
        .compose(v -> conn.preparedQuery(FINALIZED_DAYS).execute(Tuple.of(first, last.plusDays(1))))
        .compose(rows -> {
          Set<LocalDate> finalized = new HashSet<>();
          for (Row r : rows) finalized.add(r.getLocalDate("day"));
          List<LocalDate> todo = days.stream().filter(d -> !finalized.contains(d)).toList();
          if (todo.isEmpty()) return Future.succeededFuture(todo);
          List<Run> runs = consecutiveRuns(todo).stream().map(run -> new Run(run, calendar, minPlaySeconds)).toList();
          return conn.query(EXPORT_SNAPSHOT).execute()
              .compose(snapshot -> userLastSide(snapshot.iterator().next().getString(0), runs,
                  conn.query(CLEAR_WINDOWS).execute()
                      .compose(v -> conn.query(DROP_WINDOW_ANCHOR).execute())
                      .compose(v -> each(runs, run -> run.hours(conn)))
                      .compose(v -> each(runs, run -> run.content(conn)))
                      .compose(v -> each(runs, run -> run.days(conn)))))
              .map(todo);
        })
        .compose(todo -> tx.commit().map(todo))
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(err)))));
  }

  /**
   * Moves content_user_last forward for {@code runs} on a second connection in {@code snapshot}, while
   * {@code beside} runs on the first; commits once both succeeded.
   */
  private Future<Void> userLastSide(String snapshot, List<Run> runs, Future<?> beside) {
    return pool.withConnection(other -> other.begin().compose(otherTx ->
        other.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
            // the id comes from pg_export_snapshot(); SET TRANSACTION SNAPSHOT takes no parameter
            .compose(v -> other.query("SET TRANSACTION SNAPSHOT '" + snapshot.replace("'", "") + "'").execute())
            .compose(v -> other.query(BACKFILL_WORK_MEM).execute())
            .compose(v -> Future.join(each(runs, run -> run.userLast(other)), beside).<Void>mapEmpty())
            .recover(err -> beside.transform(ignored -> Future.failedFuture(err)))
            .compose(v -> otherTx.commit())
            .recover(err -> otherTx.rollback().transform(ignored -> Future.failedFuture(err)))));
  }

  private static <T> Future<Void> each(List<T> items, java.util.function.Function<T, Future<?>> work) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) chain = chain.compose(v -> work.apply(item).mapEmpty());
    return chain;
  }

  /** One run of consecutive days and its statements' parameters. */
  private static final class Run {
    private final LocalDate[] days;
    private final OffsetDateTime[] bounds;
    private final OffsetDateTime from;
    private final OffsetDateTime to;
    private final double minPlaySeconds;

    Run(List<LocalDate> run, StatsCalendar calendar, double minPlaySeconds) {
      days = run.toArray(LocalDate[]::new);
      bounds = new OffsetDateTime[days.length + 1];
      for (int i = 0; i < days.length; i++) bounds[i] = utc(calendar.start(days[i]));
      bounds[days.length] = utc(calendar.end(days[days.length - 1]));
      from = bounds[0];
      to = bounds[days.length];
      this.minPlaySeconds = minPlaySeconds;
    }

    Future<Void> hours(SqlConnection conn) {
      Tuple range = Tuple.of(from, to);
      return conn.preparedQuery(DELETE_HOURS).execute(range)
          .compose(v -> conn.preparedQuery(INSERT_HOURS).execute(range)).mapEmpty();
    }

    Future<Void> userLast(SqlConnection conn) {
      return conn.preparedQuery(BACKFILL_USER_LAST).execute(Tuple.of(days, bounds, from, to, minPlaySeconds)).mapEmpty();
    }

    Future<Void> content(SqlConnection conn) {
      return conn.preparedQuery(BACKFILL_DELETE_CONTENT).execute(Tuple.of(days[0], days[days.length - 1]))
          .compose(v -> conn.preparedQuery(BACKFILL_CONTENT).execute(Tuple.of(days, bounds, from, to, minPlaySeconds)))
          .mapEmpty();
    }

    /** after the hours: each day's peak is read from them */
    Future<Void> days(SqlConnection conn) {
      return conn.preparedQuery(BACKFILL_DAYS).execute(Tuple.of(days, bounds, from, to)).mapEmpty();
    }
  }

  /** {@code days} (ascending) cut into runs of consecutive days. */
  static List<List<LocalDate>> consecutiveRuns(List<LocalDate> days) {
    List<List<LocalDate>> runs = new ArrayList<>();
    List<LocalDate> run = new ArrayList<>();
    for (LocalDate d : days) {
      if (!run.isEmpty() && !run.get(run.size() - 1).plusDays(1).equals(d)) {
        runs.add(run);
        run = new ArrayList<>();
      }
      run.add(d);
    }
    if (!run.isEmpty()) runs.add(run);
    return runs;
  }

  /**
   * Makes the popular windows end at {@code today}: built from the per-day roll-ups the first time, else
   * shifted by subtracting the days that left them. Never moves them back (a node whose clock is behind).
   */
  public Future<Void> alignWindows(LocalDate today) {
    return locked(conn -> conn.begin().compose(tx -> conn.query(WINDOW_ANCHOR).execute()
        .compose(rows -> {
          LocalDate anchor = rows.iterator().next().getLocalDate("window_anchor");
          if (anchor != null && !anchor.isBefore(today)) return Future.succeededFuture();
          Future<?> moved = anchor == null
              ? conn.query(CLEAR_WINDOWS).execute().compose(v -> conn.preparedQuery(BUILD_WINDOWS).execute(Tuple.of(today)))
              : conn.preparedQuery(SHIFT_WINDOWS).execute(Tuple.of(anchor, today))
                  .compose(v -> conn.query(DROP_EMPTY_WINDOW_ROWS).execute());
          return moved.compose(v -> conn.preparedQuery(SET_WINDOW_ANCHOR).execute(Tuple.of(today))).mapEmpty();
        })
        .compose(v -> tx.commit())
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(err)))));
  }

  /**
   * Drops the popular windows so that a long back-fill does not apply every day's change to them one by one;
   * the next {@link #alignWindows} builds them in one pass. Until then popular answers are empty, never wrong:
   * any interleaving of day roll-ups and the build leaves consistent windows (both run under the lock, and a
   * day rolled while there is no anchor applies no change).
   */
  public Future<Void> dropWindows() {
    return locked(conn -> conn.begin().compose(tx -> conn.query(CLEAR_WINDOWS).execute()
        .compose(v -> conn.query(DROP_WINDOW_ANCHOR).execute())
        .compose(v -> tx.commit())
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(err)))));
  }

  /** Runs {@code work} on one connection holding the roll-up lock, released whatever happens. */
  private <T> Future<T> locked(java.util.function.Function<SqlConnection, Future<T>> work) {
    return pool.withConnection(conn -> conn.query(LOCK).execute()
        .compose(v -> work.apply(conn))
        .eventually(() -> conn.query(UNLOCK).execute()));
  }

  private static Future<Boolean> isFinalized(SqlConnection conn, LocalDate day) {
    return conn.preparedQuery(IS_FINALIZED).execute(Tuple.of(day))
        .map(rows -> rows.size() > 0 && rows.iterator().next().getBoolean("finalized"));
  }

  private static Future<Void> recompute(SqlConnection conn, LocalDate day, OffsetDateTime start, OffsetDateTime end,
      double minPlaySeconds, boolean finalizable) {
    Tuple range = Tuple.of(start, end);
    Tuple dayOnly = Tuple.of(day);
    Tuple plays = Tuple.of(day, start, end, minPlaySeconds);
    return conn.begin().compose(tx -> conn.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ").execute()
        .compose(v -> conn.preparedQuery(DELETE_HOURS).execute(range))
        .compose(v -> conn.preparedQuery(INSERT_HOURS).execute(range))
        .compose(v -> conn.preparedQuery(UPSERT_USER_LAST).execute(plays))
        .compose(v -> conn.preparedQuery(APPLY_WINDOW_DELTA).execute(plays))
        .compose(v -> conn.query(DROP_EMPTY_WINDOW_ROWS).execute())
        .compose(v -> conn.preparedQuery(DELETE_CONTENT).execute(dayOnly))
        .compose(v -> conn.preparedQuery(INSERT_CONTENT).execute(plays))
        .compose(v -> conn.preparedQuery(UPSERT_DAY).execute(Tuple.of(day, start, end, finalizable)))
        .compose(v -> tx.commit())
        .recover(err -> tx.rollback().transform(ignored -> Future.failedFuture(err))));
  }

  /** Deletes one batch of ended sessions that started before {@code before}; returns how many. */
  public Future<Integer> deleteSessionsBatch(Instant before, int batch) {
    return pool.preparedQuery(DELETE_SESSIONS_BATCH).execute(Tuple.of(utc(before), batch)).map(rows -> rows.rowCount());
  }

  /** Deletes one batch of alerts dismissed before {@code before} (open alerts are never touched). */
  public Future<Integer> deleteDismissedAlertsBatch(Instant before, int batch) {
    return pool.preparedQuery(DELETE_ALERTS_BATCH).execute(Tuple.of(utc(before), batch)).map(rows -> rows.rowCount());
  }

  private Future<Set<LocalDate>> days(String sql, LocalDate from, LocalDate to) {
    return pool.preparedQuery(sql).execute(Tuple.of(from, to)).map(rows -> {
      Set<LocalDate> out = new HashSet<>();
      for (Row r : rows) out.add(r.getLocalDate("day"));
      return out;
    });
  }

  private static Optional<Instant> instant(io.vertx.sqlclient.RowSet<Row> rows) {
    OffsetDateTime t = rows.iterator().next().getOffsetDateTime("started_at");
    return Optional.ofNullable(t).map(OffsetDateTime::toInstant);
  }
}
