package io.tracearr.analytics.stats;

/**
 * The statements that recompute one day's roll-ups from its raw sessions (hours, content_user_last,
 * daily_content_stats, daily_stats), and the parts of them the set-wise back-fill shares.
 * Parameters of the per-day statements: $1 the day, $2 and $3 its bounds, $4 min_play_seconds (or,
 * for {@link #UPSERT_DAY}, whether the day may become final).
 */
final class DayRollupSql {

  private DayRollupSql() {}

  /**
   * A past day is final only once nothing can change it any more: no session that started before
   * its end is still open (durations and concurrency still moving), and a grace period after
   * midnight has passed. Late starts after that are found through the partial index on created_at
   * (which needs the grace to exceed its 5 minutes).
   */
  static final String FINALIZE_GRACE = "interval '10 minutes'";

  static final String IS_FINALIZED = "SELECT finalized FROM daily_stats WHERE day = $1";

  static final String DELETE_HOURS =
      "DELETE FROM hourly_concurrency WHERE hour_start >= $1 AND hour_start < $2";

  /** zero hours are not stored: a missing hour reads as 0 */
  static final String INSERT_HOURS =
      """
      INSERT INTO hourly_concurrency (hour_start, peak)
      SELECT hour_start, peak FROM (%s) sweep WHERE peak > 0"""
          .formatted(StatsRepository.SWEEP);

  /**
   * Moves each (content, user) pair that played that day to its latest day. Only ever forward: a
   * play never disappears from a day (durations only grow), and a re-rolled older day must not move
   * it back.
   */
  static final String UPSERT_USER_LAST =
      """
      INSERT INTO content_user_last AS l (content_id, user_id, last_day)
      SELECT DISTINCT content_id, user_id, $1::date FROM playback_sessions
      WHERE started_at >= $2 AND started_at < $3 AND duration_seconds >= $4::float8
      ON CONFLICT (content_id, user_id) DO UPDATE SET last_day = EXCLUDED.last_day
      WHERE l.last_day < EXCLUDED.last_day""";

  static final String DELETE_CONTENT = "DELETE FROM daily_content_stats WHERE day = $1";

  /** the latest non-null title (and type) reported that day names the item */
  static final String INSERT_CONTENT =
      """
      INSERT INTO daily_content_stats (day, content_id, content_type, content_title, play_count, unique_users,
                                       total_watch_seconds)
      SELECT $1::date, content_id,
             (array_agg(content_type ORDER BY started_at DESC, id DESC))[1],
             (array_agg(content_title ORDER BY started_at DESC, id DESC) FILTER (WHERE content_title IS NOT NULL))[1],
             count(*), count(DISTINCT user_id), sum(duration_seconds)
      FROM playback_sessions
      WHERE started_at >= $2 AND started_at < $3 AND duration_seconds >= $4::float8
      GROUP BY content_id""";

  static final String DAY_COLUMNS =
      """
      daily_stats AS d (day, total_sessions, total_duration_seconds, unique_users, total_bytes, transcoded_sessions,
                        peak_concurrent_streams, finalized, rolled_up_at)""";

  /** Idempotent: an unchanged day is not even rewritten (rolled_up_at stays). */
  static final String DAY_CONFLICT =
      """
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

  static final String UPSERT_DAY =
      """
      INSERT INTO %s
      SELECT $1::date, count(*), COALESCE(sum(s.duration_seconds), 0), count(DISTINCT s.user_id),
             COALESCE(sum(s.bytes_transferred), 0), count(*) FILTER (WHERE s.transcoded),
             (SELECT COALESCE(max(h.peak), 0) FROM hourly_concurrency h WHERE h.hour_start >= $2 AND h.hour_start < $3),
             $4::boolean AND now() >= $3 + %s
               AND NOT EXISTS (SELECT 1 FROM playback_sessions o WHERE o.ended_at IS NULL AND o.started_at < $3),
             now()
      FROM playback_sessions s
      WHERE s.started_at >= $2 AND s.started_at < $3
      %s"""
          .formatted(DAY_COLUMNS, FINALIZE_GRACE, DAY_CONFLICT);
}
