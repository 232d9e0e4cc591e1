-- Usage roll-up (issue 17): per day, per breakdown dimension and value, per user: plays, watch time, bytes and
-- the latest start. One row per (day, dim, key, user) keeps unique users over any range exact (a DISTINCT over
-- these rows, never over raw sessions), and the cost of a range grows with days x users x values, not with
-- sessions. Written by the stats concern only (DayRollupStore per day, BackfillStore set-wise); today is
-- answered live from raw sessions.
CREATE TABLE daily_usage (
  day            date             NOT NULL,
  dim            text             NOT NULL CHECK (dim IN ('hour_of_day', 'day_of_week', 'weekday_hour', 'platform',
                                                      'client', 'device', 'resolution', 'transcode', 'content_type',
                                                      'country', 'server', 'user')),
  key            text             NOT NULL,
  user_id        uuid             NOT NULL,
  plays          bigint           NOT NULL,
  watch_seconds  double precision NOT NULL,
  bytes          bigint           NOT NULL,
  last_seen      timestamptz      NOT NULL,
  PRIMARY KEY (dim, day, key, user_id)
);

-- Days rolled up before this table existed have no usage rows. Days whose raw sessions are all still kept are
-- marked not final, so the next roll-up run recomputes them (and writes their usage rows); older days, whose raw
-- sessions retention may have purged, are left as they are (recomputing them would lose what was purged).
UPDATE daily_stats SET finalized = false
WHERE finalized AND day > (SELECT (min(started_at) AT TIME ZONE 'UTC')::date + 1 FROM playback_sessions);
