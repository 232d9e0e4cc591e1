-- Roll-ups (issue 5). The V1 shapes of daily_stats, daily_content_stats and hourly_concurrency are kept;
-- this adds what exact windowed answers and cheap incremental roll-ups need.

-- The last day each user played each content item (a play = duration_seconds >= analytics.min_play_seconds).
-- Unique users over a window are not a sum of daily unique users; with this table they are exact and cheap:
-- the users of an item in the window ending at A of length L are those whose last play is after A - L
-- (nobody plays in the future), one index range per item, never a DISTINCT over the window's plays.
CREATE TABLE content_user_last (
  content_id  uuid NOT NULL,
  user_id     uuid NOT NULL,
  last_day    date NOT NULL,
  PRIMARY KEY (content_id, user_id)
);
CREATE INDEX content_user_last_day ON content_user_last (content_id, last_day);

-- Roll-up bookkeeping (one row): sessions created after late_watermark with a start long before their
-- creation (late or offline reports) make the roll-up revisit finalised days; window_anchor is the last day
-- of the popular windows in content_window_totals (null: not built yet).
CREATE TABLE rollup_state (
  singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  late_watermark  timestamptz NOT NULL,
  window_anchor   date
);
INSERT INTO rollup_state (singleton, late_watermark) VALUES (true, now());

-- Concurrency is an event sweep over the sessions that overlap a day, including ones that started days
-- earlier and are still open (ended_at NULL = unbounded range). A btree on started_at cannot bound those.
CREATE INDEX playback_sessions_span ON playback_sessions USING gist (tstzrange(started_at, ended_at, '[)'));

-- Nearly every session is created when it starts; only the late ones (started_at well before created_at)
-- land in this partial index, which keeps it tiny while letting the roll-up find them.
CREATE INDEX playback_sessions_late ON playback_sessions (created_at)
  WHERE created_at - started_at > interval '5 minutes';

-- retention of dismissed alerts
CREATE INDEX sharing_alerts_dismissed ON sharing_alerts (dismissed_at) WHERE status = 'dismissed';

-- Plays and watch time of each content item over the popular windows (day, week, month, year, all), ending
-- at rollup_state.window_anchor. Plays and watch time are sums, so each day's roll-up applies its change to
-- the windows holding that day and a new day subtracts the days that leave: ranking any window is then an
-- index scan, whatever the history. Unique users are not sums; they are counted exactly at query time for
-- the ranked items only (content_user_last).
CREATE TABLE content_window_totals (
  window_name    text NOT NULL CHECK (window_name IN ('day', 'week', 'month', 'year', 'all')),
  content_id     uuid NOT NULL,
  content_type   text NOT NULL,
  content_title  text,
  -- the day the type and title were taken from: a re-rolled older day does not overwrite a newer title
  title_day      date NOT NULL,
  play_count     bigint NOT NULL,
  watch_seconds  double precision NOT NULL,
  PRIMARY KEY (window_name, content_id)
);
CREATE INDEX content_window_totals_rank ON content_window_totals (window_name, play_count DESC);
CREATE INDEX content_window_totals_type_rank ON content_window_totals (window_name, content_type, play_count DESC);
