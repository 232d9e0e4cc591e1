-- Heartbeat flushes as heap-only-tuple (HOT) updates (issue 8, docs/benchmarks.md "Experiments").
-- A flush changes last_heartbeat_at, which the reaper's partial index playback_sessions_open covered, so no
-- flushed row could be HOT: every heartbeat batch wrote a new entry into every index of the table (primary
-- key, user history, started_at, the GiST span index, ...). Without that index, and with room left on each
-- page for the new row version, a flush touches no index at all (measured: 0 % -> 97.5 % HOT, flush time
-- halved, p99 -23 %). The reaper finds silent sessions through playback_sessions_open_user (every open
-- session, a few thousand rows) and filters on last_heartbeat_at.
ALTER TABLE playback_sessions SET (fillfactor = 80);
DROP INDEX IF EXISTS playback_sessions_open;
