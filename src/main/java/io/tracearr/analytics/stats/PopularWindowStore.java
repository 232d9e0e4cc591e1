package io.tracearr.analytics.stats;

import io.tracearr.analytics.db.LockedTransaction;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Every write to the popular windows (content_window_totals and the day they end,
 * rollup_state.window_anchor): moving them to today and dropping them under the roll-up lock here,
 * and the statements the day roll-up and the back-fill run on them inside their own transactions.
 */
public final class PopularWindowStore {

  /**
   * The change a day's re-roll makes to its per-content plays and watch time, applied to every
   * popular window holding that day (relative to the stored window anchor). Runs before
   * daily_content_stats is rewritten, so "old" is what the windows already hold for the day. A
   * content item that disappears from the day carries no type/title (title_day -infinity never
   * wins).
   */
  private static final String APPLY_WINDOW_DELTA =
      """
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
        title_day = GREATEST(t.title_day, EXCLUDED.title_day)"""
          .formatted(PopularWindow.valuesSql());

  private static final String DROP_EMPTY_WINDOW_ROWS =
      """
      DELETE FROM content_window_totals WHERE window_name IN ('day', 'week', 'month', 'year', 'all') AND play_count <= 0""";

  private static final String WINDOW_ANCHOR = "SELECT window_anchor FROM rollup_state FOR UPDATE";
  private static final String DROP_WINDOW_ANCHOR = "UPDATE rollup_state SET window_anchor = NULL";
  private static final String SET_WINDOW_ANCHOR = "UPDATE rollup_state SET window_anchor = $1";
  private static final String CLEAR_WINDOWS = "DELETE FROM content_window_totals";

  /**
   * The windows ending at $1, from the per-day roll-ups (first build only, and after a set-wise
   * back-fill or an import). One pass over the per-day rows, grouped by content: each window's sums
   * and last titled day are {@code FILTER}ed aggregates of that pass, then the type (the content's
   * last day's, which lies in every window holding the content) and each window's title are looked
   * up by primary key. The previous form joined every window to its days and took the type and
   * title with ordered {@code array_agg}s: ~3.8 M joined rows sorted per window and content for 1.9
   * M per-day rows (7.0-7.4 s against 2.6-2.8 s for this form, the same 80 602 rows; session 8).
   */
  static final String BUILD_WINDOWS = buildWindowsSql();

  private static String buildWindowsSql() {
    PopularWindow[] windows = PopularWindow.values();
    List<String> sums = new ArrayList<>();
    List<String> rows = new ArrayList<>();
    for (int i = 0; i < windows.length; i++) {
      String in = "c.day > $1::date - " + windows[i].days();
      sums.add(
          ("sum(c.play_count) FILTER (WHERE %1$s) AS p%2$d, sum(c.total_watch_seconds) FILTER (WHERE"
                  + " %1$s) AS w%2$d, max(c.day) FILTER (WHERE %1$s AND c.content_title IS NOT NULL) AS"
                  + " t%2$d")
              .formatted(in, i));
      rows.add("('%s', g.p%d, g.w%d, g.t%d)".formatted(windows[i].id(), i, i, i));
    }
    return """
        INSERT INTO content_window_totals (window_name, content_id, content_type, content_title, title_day, play_count,
                                           watch_seconds)
        WITH g AS (
          SELECT c.content_id, max(c.day) AS last_day,
                 %s
          FROM daily_content_stats c WHERE c.day <= $1::date
          GROUP BY c.content_id
        )
        SELECT w.name, g.content_id, l.content_type, t.content_title, g.last_day, w.plays, w.watch
        FROM g CROSS JOIN LATERAL (VALUES %s) AS w(name, plays, watch, titled)
        JOIN daily_content_stats l ON l.day = g.last_day AND l.content_id = g.content_id
        LEFT JOIN daily_content_stats t ON t.day = w.titled AND t.content_id = g.content_id
        WHERE w.plays IS NOT NULL"""
        .formatted(String.join(",\n         ", sums), String.join(", ", rows));
  }

  /** moving the windows' end from $1 to $2: subtract the days that fall out of each window */
  private static final String SHIFT_WINDOWS =
      """
      WITH leaving AS (
        SELECT w.name, c.content_id, sum(c.play_count) AS plays, sum(c.total_watch_seconds) AS watch
        FROM %s AS w(name, len)
        JOIN daily_content_stats c ON c.day > $1::date - w.len AND c.day <= LEAST($1::date, $2::date - w.len)
        GROUP BY w.name, c.content_id
      )
      UPDATE content_window_totals t SET play_count = t.play_count - l.plays, watch_seconds = t.watch_seconds - l.watch
      FROM leaving l
      WHERE t.window_name = l.name AND t.content_id = l.content_id"""
          .formatted(PopularWindow.valuesSql());

  private final LockedTransaction transaction;

  public PopularWindowStore(Pool pool) {
    this.transaction = RollupLock.on(pool);
  }

  /**
   * Makes the popular windows end at {@code today}: built from the per-day roll-ups the first time,
   * else shifted by subtracting the days that left them. Never moves them back (a node whose clock
   * is behind).
   */
  public Future<Void> alignWindows(LocalDate today) {
    return transaction.run(
        conn ->
            conn.query(WINDOW_ANCHOR)
                .execute()
                .compose(
                    rows -> {
                      LocalDate anchor = rows.iterator().next().getLocalDate("window_anchor");
                      if (anchor != null && !anchor.isBefore(today))
                        return Future.succeededFuture();
                      if (anchor == null)
                        return conn.query(CLEAR_WINDOWS).execute().compose(v -> build(conn, today));
                      return conn.preparedQuery(SHIFT_WINDOWS)
                          .execute(Tuple.of(anchor, today))
                          .compose(v -> conn.query(DROP_EMPTY_WINDOW_ROWS).execute())
                          .compose(
                              v -> conn.preparedQuery(SET_WINDOW_ANCHOR).execute(Tuple.of(today)))
                          .mapEmpty();
                    }));
  }

  /**
   * Drops the popular windows so that a long back-fill does not apply every day's change to them
   * one by one; the next {@link #alignWindows} builds them in one pass. Until then popular answers
   * are empty, never wrong: any interleaving of day roll-ups and the build leaves consistent
   * windows (both run under the lock, and a day rolled while there is no anchor applies no change).
   */
  public Future<Void> dropWindows() {
    return transaction.run(PopularWindowStore::clear);
  }

  /**
   * Empties the windows and their anchor, inside the caller's transaction (which holds the roll-up
   * lock).
   */
  static Future<Void> clear(SqlConnection conn) {
    return conn.query(CLEAR_WINDOWS)
        .execute()
        .compose(v -> conn.query(DROP_WINDOW_ANCHOR).execute())
        .mapEmpty();
  }

  /**
   * Builds the windows ending at {@code end} from the per-day roll-ups and anchors them there,
   * inside the caller's transaction (which holds the roll-up lock and has cleared them).
   */
  static Future<Void> build(SqlConnection conn, LocalDate end) {
    return conn.preparedQuery(BUILD_WINDOWS)
        .execute(Tuple.of(end))
        .compose(v -> conn.preparedQuery(SET_WINDOW_ANCHOR).execute(Tuple.of(end)))
        .mapEmpty();
  }

  /**
   * Applies a day's re-roll to the windows holding it, inside the day's transaction, before its
   * daily_content_stats rows are rewritten ({@code plays}: the day, its bounds, min_play_seconds).
   */
  static Future<Void> applyDayChange(SqlConnection conn, Tuple plays) {
    return conn.preparedQuery(APPLY_WINDOW_DELTA)
        .execute(plays)
        .compose(v -> conn.query(DROP_EMPTY_WINDOW_ROWS).execute())
        .mapEmpty();
  }
}
