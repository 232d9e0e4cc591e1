package io.tracearr.analytics.stats;

import static io.tracearr.analytics.stats.DayRollupSql.DAY_COLUMNS;
import static io.tracearr.analytics.stats.DayRollupSql.DAY_CONFLICT;
import static io.tracearr.analytics.stats.DayRollupSql.DELETE_HOURS;
import static io.tracearr.analytics.stats.DayRollupSql.FINALIZE_GRACE;
import static io.tracearr.analytics.stats.DayRollupSql.INSERT_HOURS;
import static io.tracearr.analytics.stats.StatsCalendar.utc;

import io.tracearr.analytics.db.LockedTransaction;
import io.tracearr.analytics.db.LockedTransaction.Isolation;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The set-wise back-fill of a run of consecutive days: the same results as rolling each day on its
 * own ({@link DayRollupStore}), one statement per roll-up table for the whole run.
 *
 * <p>Parameters: $1 the days (ascending, consecutive), $2 their bounds (n + 1 instants: each day's
 * start, then the last day's end), $3 and $4 the first and last bound, [$5 min_play_seconds]. A
 * session's day is its bucket in $2 (width_bucket: a binary search), so the day boundaries stay the
 * calendar's, DST included.
 */
public final class BackfillStore {

  /**
   * an in-memory sort or hash for the run's few million rows instead of spilling to disk at the
   * default 4 MB
   */
  private static final String BACKFILL_WORK_MEM = "SET LOCAL work_mem = '256MB'";

  /**
   * The usage rows join each session to its (client, device) pair's platform: 1 M sessions to a few
   * hundred pairs. The planner, which guesses tens of thousands of pairs, sorted both sides for a
   * merge join (4 s of the 13 s usage_day_user took at 1 M imported sessions); a hash join of the
   * pairs takes 9 s in all (issue 16, session 6).
   */
  private static final String USAGE_NO_MERGE_JOIN = "SET LOCAL enable_mergejoin = off";

  private static final String EXPORT_SNAPSHOT = "SELECT pg_export_snapshot()";

  private static final String BACKFILL_USER_LAST =
      """
      INSERT INTO content_user_last AS l (content_id, user_id, last_day)
      SELECT content_id, user_id, ($1::date[])[max(width_bucket(started_at, $2::timestamptz[]))]
      FROM playback_sessions
      WHERE started_at >= $3 AND started_at < $4 AND duration_seconds >= $5::float8
      GROUP BY content_id, user_id
      -- in key order: millions of rows go into both b-trees page after page, not scattered over them
      ORDER BY content_id, user_id
      ON CONFLICT (content_id, user_id) DO UPDATE SET last_day = EXCLUDED.last_day
      WHERE l.last_day < EXCLUDED.last_day""";

  private static final String BACKFILL_DELETE_CONTENT =
      "DELETE FROM daily_content_stats WHERE day >= $1 AND day <= $2";

  private static final String BACKFILL_CONTENT =
      """
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
  private static final String BACKFILL_DAYS =
      """
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
      %s"""
          .formatted(DAY_COLUMNS, FINALIZE_GRACE, DAY_CONFLICT);

  /** the transaction holding the roll-up lock, whose snapshot it exports */
  private final LockedTransaction lockedTransaction;

  /**
   * the second connection's transaction: it imports that snapshot, so it needs no lock of its own
   */
  private final LockedTransaction usageTransaction;

  public BackfillStore(Pool pool) {
    this.lockedTransaction = RollupLock.on(pool).isolation(Isolation.REPEATABLE_READ);
    this.usageTransaction = LockedTransaction.on(pool).isolation(Isolation.REPEATABLE_READ);
  }

  /**
   * Recomputes a run of consecutive past days set-wise: one statement per roll-up table for the
   * whole run, with the same results as {@link DayRollupStore#rollDay} of each day (not forced).
   * Days found final under the lock are left alone, unless {@code forced} (reported late: an
   * import) names them. The run's days apply no per-day change to the popular windows: with {@code
   * windowsEnd}, they are rebuilt ending there at the end of the same transaction (beside the usage
   * rows on the second connection), so readers see the old windows until the commit and the new
   * ones after; without it they are cleared (the caller rebuilds them with {@link
   * PopularWindowStore#alignWindows}). Every bound of {@code days} must be a whole number of hours
   * after the first (hour buckets of the concurrency sweep are counted from it). Returns the days
   * recomputed.
   *
   * <p>The work is split over two connections that share one snapshot (REPEATABLE READ, exported by
   * the transaction holding the roll-up lock), so PostgreSQL uses two cores, in two halves of about
   * the same cost: usage_day_user and usage_day_value's device family ({@link #SECOND_FAMILIES}) on
   * the second connection; usage_day_value's other families, hours, daily_content_stats,
   * content_user_last, daily_stats and the windows on the first. Measured at 1 M imported sessions
   * (issue 16, session 10; each statement alone, warm): device family 9.1-11.1 s, usage_day_user
   * 5.6 s, against 16 s of the first connection's tables, time family 1.3-2.6 s and the other
   * family 0.8-0.9 s; with the whole of usage_day_value on the second connection, the first sat
   * idle for the last 9 of the import's 28 s roll-up. The usage version is moved on the first
   * connection (which already holds rollup_state's row: clearing the popular windows updates it),
   * and the second commits first: a usage answer read between the two commits (new user rows and
   * device family, old other families) is cached under the old version and dropped when the version
   * moves at the first commit. If the first commit fails, the days are still missing and the next
   * run recomputes them (delete and insert of all their usage rows, and the version moved then).
   */
  public Future<List<LocalDate>> backfill(
      List<LocalDate> days,
      StatsCalendar calendar,
      double minPlaySeconds,
      Set<LocalDate> forced,
      Optional<LocalDate> windowsEnd) {
    LocalDate first = days.get(0);
    LocalDate last = days.get(days.size() - 1);
    return lockedTransaction.run(
        conn ->
            conn.query(BACKFILL_WORK_MEM)
                .execute()
                .compose(
                    v ->
                        conn.preparedQuery(RollupStateStore.FINALIZED_DAYS)
                            .execute(Tuple.of(first, last.plusDays(1))))
                .compose(
                    rows -> {
                      Set<LocalDate> finalized = new HashSet<>();
                      for (Row r : rows) finalized.add(r.getLocalDate("day"));
                      List<LocalDate> todo =
                          days.stream()
                              .filter(d -> forced.contains(d) || !finalized.contains(d))
                              .toList();
                      if (todo.isEmpty()) return Future.succeededFuture(todo);
                      List<Run> runs =
                          consecutiveRuns(todo).stream()
                              .map(run -> new Run(run, calendar, minPlaySeconds))
                              .toList();
                      return conn.query(EXPORT_SNAPSHOT)
                          .execute()
                          .compose(
                              snapshot ->
                                  usageSide(
                                      snapshot.iterator().next().getString(0),
                                      runs,
                                      PopularWindowStore.clear(conn)
                                          .compose(v -> each(runs, run -> run.values(conn)))
                                          .compose(v -> each(runs, run -> run.hours(conn)))
                                          .compose(v -> each(runs, run -> run.content(conn)))
                                          .compose(v -> each(runs, run -> run.userLast(conn)))
                                          .compose(v -> each(runs, run -> run.days(conn)))
                                          .compose(
                                              v ->
                                                  windowsEnd.isPresent()
                                                      ? PopularWindowStore.build(
                                                          conn, windowsEnd.get())
                                                      : Future.succeededFuture())
                                          .compose(
                                              v -> conn.query(UsageSql.BUMP_VERSION).execute())))
                          .map(todo);
                    }));
  }

  /**
   * Rewrites the usage rows of {@code runs} on a second connection in {@code snapshot}, while
   * {@code beside} runs on the first; commits once both succeeded.
   */
  private Future<Void> usageSide(String snapshot, List<Run> runs, Future<?> beside) {
    // the id comes from pg_export_snapshot(); SET TRANSACTION SNAPSHOT takes no parameter
    String importSnapshot = "SET TRANSACTION SNAPSHOT '" + snapshot.replace("'", "") + "'";
    return usageTransaction.run(
        other ->
            other
                .query(importSnapshot)
                .execute()
                .compose(v -> other.query(BACKFILL_WORK_MEM).execute())
                .compose(v -> other.query(USAGE_NO_MERGE_JOIN).execute())
                .compose(
                    v -> Future.join(each(runs, run -> run.usage(other)), beside).<Void>mapEmpty())
                // fail only once the first connection's statements are done: its transaction is
                // rolled back on this failure
                .recover(err -> beside.transform(ignored -> Future.failedFuture(err))));
  }

  /**
   * usage_day_value's families written on the back-fill's second connection, beside usage_day_user;
   * the others go on the first (see {@link #backfill} for the costs behind it)
   */
  static final Set<String> SECOND_FAMILIES = Set.of("device");

  private static List<UsageSql.ValueFamily> families(boolean second) {
    return UsageSql.VALUE_FAMILIES.stream()
        .filter(f -> SECOND_FAMILIES.contains(f.name()) == second)
        .toList();
  }

  private static <T> Future<Void> each(List<T> items, Function<T, Future<?>> work) {
    Future<Void> chain = Future.succeededFuture();
    for (T item : items) chain = chain.compose(v -> work.apply(item).mapEmpty());
    return chain;
  }

  /**
   * Rewrites the usage roll-ups (usage_day_value, usage_day_user) of a run of consecutive days, and
   * moves the usage version on (the gateways' cached answers are keyed by it). Shared by the
   * per-day roll-up (a one-day run) and the back-fill, so both write the same rows.
   */
  static Future<Void> usage(
      SqlConnection conn, LocalDate[] days, OffsetDateTime[] bounds, String zone) {
    return usageRows(conn, days, bounds, zone)
        .compose(v -> conn.query(UsageSql.BUMP_VERSION).execute())
        .mapEmpty();
  }

  /** the usage rows of {@link #usage}, without moving the version */
  private static Future<Void> usageRows(
      SqlConnection conn, LocalDate[] days, OffsetDateTime[] bounds, String zone) {
    return valueRows(conn, days, bounds, zone, UsageSql.VALUE_FAMILIES)
        .compose(v -> userRows(conn, days, bounds, zone));
  }

  /** the usage_day_value rows of {@code families}: each family's old rows deleted, then written */
  private static Future<Void> valueRows(
      SqlConnection conn,
      LocalDate[] days,
      OffsetDateTime[] bounds,
      String zone,
      List<UsageSql.ValueFamily> families) {
    LocalDate first = days[0];
    LocalDate last = days[days.length - 1];
    Tuple run = Tuple.of(days, bounds, bounds[0], bounds[days.length]);
    Tuple zonedRun = Tuple.of(days, bounds, bounds[0], bounds[days.length], zone);
    return each(
        families,
        f ->
            conn.preparedQuery(UsageSql.DELETE_VALUE_DIMS)
                .execute(Tuple.of(first, last, f.dims()))
                .compose(v -> conn.preparedQuery(f.insert()).execute(f.zoned() ? zonedRun : run)));
  }

  /** the usage_day_user rows of a run of days: the old ones deleted, then written */
  private static Future<Void> userRows(
      SqlConnection conn, LocalDate[] days, OffsetDateTime[] bounds, String zone) {
    return conn.preparedQuery(UsageSql.DELETE_USER_DAYS)
        .execute(Tuple.of(days[0], days[days.length - 1]))
        .compose(
            v ->
                conn.preparedQuery(UsageSql.INSERT_USER_DAYS)
                    .execute(Tuple.of(days, bounds, bounds[0], bounds[days.length], zone)))
        .mapEmpty();
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

  /** One run of consecutive days and its statements' parameters. */
  private static final class Run {
    private final LocalDate[] days;
    private final OffsetDateTime[] bounds;
    private final OffsetDateTime from;
    private final OffsetDateTime to;
    private final double minPlaySeconds;
    private final String zone;

    Run(List<LocalDate> run, StatsCalendar calendar, double minPlaySeconds) {
      days = run.toArray(LocalDate[]::new);
      bounds = new OffsetDateTime[days.length + 1];
      for (int i = 0; i < days.length; i++) bounds[i] = utc(calendar.start(days[i]));
      bounds[days.length] = utc(calendar.end(days[days.length - 1]));
      from = bounds[0];
      to = bounds[days.length];
      this.minPlaySeconds = minPlaySeconds;
      this.zone = calendar.zone().getId();
    }

    /**
     * the second connection's usage rows (the version is moved on the first): usage_day_value's
     * {@link #SECOND_FAMILIES}, then usage_day_user
     */
    Future<Void> usage(SqlConnection conn) {
      return valueRows(conn, days, bounds, zone, families(true))
          .compose(v -> userRows(conn, days, bounds, zone));
    }

    /** the first connection's usage rows: usage_day_value's other families */
    Future<Void> values(SqlConnection conn) {
      return valueRows(conn, days, bounds, zone, families(false));
    }

    Future<Void> hours(SqlConnection conn) {
      Tuple range = Tuple.of(from, to);
      return conn.preparedQuery(DELETE_HOURS)
          .execute(range)
          .compose(v -> conn.preparedQuery(INSERT_HOURS).execute(range))
          .mapEmpty();
    }

    Future<Void> userLast(SqlConnection conn) {
      return conn.preparedQuery(BACKFILL_USER_LAST)
          .execute(Tuple.of(days, bounds, from, to, minPlaySeconds))
          .mapEmpty();
    }

    Future<Void> content(SqlConnection conn) {
      return conn.preparedQuery(BACKFILL_DELETE_CONTENT)
          .execute(Tuple.of(days[0], days[days.length - 1]))
          .compose(
              v ->
                  conn.preparedQuery(BACKFILL_CONTENT)
                      .execute(Tuple.of(days, bounds, from, to, minPlaySeconds)))
          .mapEmpty();
    }

    /** after the hours: each day's peak is read from them */
    Future<Void> days(SqlConnection conn) {
      return conn.preparedQuery(BACKFILL_DAYS).execute(Tuple.of(days, bounds, from, to)).mapEmpty();
    }
  }
}
