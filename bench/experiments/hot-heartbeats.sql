-- Experiment (docs/benchmarks.md, scenario 1): make heartbeat flushes HOT-eligible.
--   BENCH_SETUP_SQL=bench/experiments/hot-heartbeats.sql bench/run --phases http --only 1
-- A flush updates last_heartbeat_at, which the partial index playback_sessions_open (the reaper's) covers, so
-- no flushed row can be a heap-only tuple: every row update writes a new entry into every index of the table
-- (primary key, user history, started_at, the GiST span index...). Without that index and with room left on
-- each page, the update touches no index at all. The reaper then finds silent sessions through
-- playback_sessions_open_user (every open session) and filters on last_heartbeat_at.
ALTER TABLE playback_sessions SET (fillfactor = 80);
DROP INDEX IF EXISTS playback_sessions_open;
