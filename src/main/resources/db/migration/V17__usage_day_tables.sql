-- Usage roll-up, second shape (issue 17 scenario 9, issue 18 scenario 5). daily_usage (V13) held one row per
-- (day, dimension, value, user): about a dozen rows per session when users play once a day, so a year's
-- answer scanned millions of rows and its back-fill cost 63 x a bare GROUP BY. It is replaced by two tables,
-- both written by the stats concern only (DayRollupStore for a past day, BackfillStore for a run of days, with
-- the same statements):

-- Per day and dimension value: plays, watch time and bytes. A day has a few hundred of these rows whatever its
-- sessions, so the sums of any range are cheap. No 'user' dimension here: that is usage_day_user.
CREATE TABLE usage_day_value (
  day            date             NOT NULL,
  dim            text             NOT NULL CHECK (dim IN ('hour_of_day', 'day_of_week', 'weekday_hour', 'platform',
                                                      'client', 'device', 'resolution', 'transcode', 'content_type',
                                                      'country', 'server')),
  key            text             NOT NULL,
  plays          bigint           NOT NULL,
  watch_seconds  double precision NOT NULL,
  bytes          bigint           NOT NULL,
  PRIMARY KEY (dim, day, key)
);

-- Per day and user: the user's sums (top users, bandwidth per user, group_by=user) and, in keys, one row per
-- session of that day of the dimension values (text[n][11], in UsageSql.DIMENSIONS order, 'user' left out): the
-- exact unique users of a value over any range are the distinct users whose keys hold it. One row per user-day,
-- not one per (dimension, value, user). Keyed by user first: today's users are looked up in it (were they
-- already counted in the range?); ranges of days are read through the BRIN index.
CREATE TABLE usage_day_user (
  user_id        uuid             NOT NULL,
  day            date             NOT NULL,
  plays          bigint           NOT NULL,
  watch_seconds  double precision NOT NULL,
  bytes          bigint           NOT NULL,
  last_seen      timestamptz      NOT NULL,
  keys           text[]           NOT NULL,
  PRIMARY KEY (user_id, day)
);
CREATE INDEX usage_day_user_day ON usage_day_user USING brin (day);

-- Answers cached by the gateways are keyed by this version: bumped in the transaction that rewrites past days.
ALTER TABLE rollup_state ADD COLUMN usage_version bigint NOT NULL DEFAULT 0;

-- Final days whose raw sessions are all still kept are re-rolled by the next run, which fills their usage rows
-- (as V13 did); older days, whose raw sessions retention may have purged, keep no usage rows.
UPDATE daily_stats SET finalized = false
WHERE finalized AND day > (SELECT (min(started_at) AT TIME ZONE 'UTC')::date + 1 FROM playback_sessions);
DROP TABLE daily_usage;
