-- The first day whose raw sessions are all still there (issue 16). Retention moves it forward each time it
-- purges; NULL means it never purged, so every day's roll-up can be recomputed exactly from the raw rows.
-- A roll-up run recomputes days reported late (imports above all) back to this day instead of stopping at
-- today - retention_days: days that retention never touched are recomputed with the imported rows.
ALTER TABLE rollup_state ADD COLUMN raw_complete_from date;

-- An existing database cannot tell whether retention ran; a day with a non-empty roll-up before the earliest
-- raw session is its trace. Then the horizon is the day after that session's UTC date (a day later than
-- needed at worst, never earlier).
UPDATE rollup_state SET raw_complete_from = (
  SELECT (min(started_at) AT TIME ZONE 'UTC')::date + 1 FROM playback_sessions)
WHERE EXISTS (
  SELECT 1 FROM daily_stats d
  WHERE d.total_sessions > 0
    AND d.day < (SELECT (min(started_at) AT TIME ZONE 'UTC')::date FROM playback_sessions));
