-- Issue 18: the plans of the active-session, history and reaper queries (and the by-id lookups of end/find) on
-- the partitioned table at the generated size, with 2 000 open sessions of this month (as a live service has).
-- The statements are those of session/SessionRepository; writes are rolled back.
\set ON_ERROR_STOP on
INSERT INTO playback_sessions (id, user_id, content_type, content_id, client_name, device_name, device_key,
  ip_address, status, started_at, last_heartbeat_at, created_at)
SELECT ('00000000-0000-4000-e000-' || lpad(to_hex(g), 12, '0'))::uuid,
       ('00000000-0000-4000-b000-' || lpad(to_hex(g * 7), 12, '0'))::uuid, 'movie',
       ('00000000-0000-4000-c000-' || lpad(to_hex(g % 500), 12, '0'))::uuid, 'Bench Client', 'Device', 'Device / Bench',
       '203.0.113.9', 'playing', now() - interval '20 minutes', now() - make_interval(secs => g % 30),
       now() - interval '20 minutes'
FROM generate_series(1, 2000) g ON CONFLICT DO NOTHING;
INSERT INTO session_ids (id, started_at) SELECT id, started_at FROM playback_sessions
WHERE ended_at IS NULL ON CONFLICT DO NOTHING;
VACUUM ANALYZE session_ids;
ANALYZE playback_sessions;
\echo '### active (GET /sessions/active, dashboard snapshot)'
EXPLAIN (ANALYZE, BUFFERS) SELECT s.id, s.user_id, s.started_at, s.status, u.name, c.title
FROM playback_sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN content c ON c.id = s.content_id
WHERE s.ended_at IS NULL ORDER BY s.started_at DESC, s.id DESC LIMIT 100000;
\echo '### history, first page (GET /users/{id}/sessions)'
EXPLAIN (ANALYZE, BUFFERS) SELECT s.id, s.started_at, s.status, u.name, c.title
FROM playback_sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN content c ON c.id = s.content_id
WHERE s.user_id = '00000000-0000-4000-b000-000000000007' ORDER BY s.started_at DESC, s.id DESC LIMIT 50;
\echo '### history, a later page (keyset)'
EXPLAIN (ANALYZE, BUFFERS) SELECT s.id, s.started_at, s.status, u.name, c.title
FROM playback_sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN content c ON c.id = s.content_id
WHERE s.user_id = '00000000-0000-4000-b000-000000000007'
  AND (s.started_at, s.id) < (now() - interval '60 days', '00000000-0000-4000-a000-000000000000'::uuid)
ORDER BY s.started_at DESC, s.id DESC LIMIT 50;
\echo '### reaper (rolled back)'
BEGIN;
EXPLAIN (ANALYZE, BUFFERS) UPDATE playback_sessions SET status = 'timed_out', ended_reason = 'timeout',
  ended_at = last_heartbeat_at
WHERE ended_at IS NULL AND last_heartbeat_at < now() - make_interval(secs => 20)
  AND created_at < now() - make_interval(secs => 20)
RETURNING id;
ROLLBACK;
\echo '### find by id (session_ids gives started_at: run-time pruning)'
PREPARE find(uuid) AS SELECT s.id, s.status FROM playback_sessions s
WHERE s.id = $1 AND s.started_at = (SELECT g.started_at FROM session_ids g WHERE g.id = $1);
SET plan_cache_mode = force_generic_plan;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE find('00000000-0000-4000-a000-000000000abc');
\echo '### end by id (rolled back)'
BEGIN;
PREPARE fin(uuid) AS UPDATE playback_sessions s SET status = 'ended', ended_reason = 'client', ended_at = now()
WHERE s.id = $1 AND s.started_at = (SELECT g.started_at FROM session_ids g WHERE g.id = $1) AND s.ended_at IS NULL
RETURNING s.id;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fin('00000000-0000-4000-e000-000000000010');
ROLLBACK;
\echo '### heartbeat flush of 100 open sessions (the FLUSH join shape, rolled back)'
BEGIN;
PREPARE fl(uuid[]) AS UPDATE playback_sessions s SET last_heartbeat_at = GREATEST(s.last_heartbeat_at, now())
FROM unnest($1::uuid[]) AS v(v_id) JOIN session_ids g ON g.id = v_id
WHERE s.id = v_id AND s.started_at = g.started_at AND s.ended_at IS NULL
RETURNING s.id;
SELECT ARRAY(SELECT id FROM playback_sessions WHERE ended_at IS NULL LIMIT 100)::text AS ids \gset
EXPLAIN (ANALYZE, BUFFERS) EXECUTE fl(:'ids');
ROLLBACK;
