-- Today as a full run leaves it for the data phase: ~87 000 ended sessions of today (~82 000 users), which the
-- earlier phases create through the API. For running the data phase alone with that load on today's live figures:
--   BENCH_SETUP_SQL=bench/today-87k.sql bench/run --phases "data import"
-- Idempotent: a later phase on the same data directory skips the insert.
\set ON_ERROR_STOP on
SELECT session_partitions_ensure((now() AT TIME ZONE 'UTC')::date, (now() AT TIME ZONE 'UTC')::date);
INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
  device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status,
  started_at, ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason, created_at)
SELECT ('00000000-0000-4000-d000-' || lpad(to_hex(g), 12, '0'))::uuid,
       ('00000000-0000-4000-e000-' || lpad(to_hex(u), 12, '0'))::uuid,
       (ARRAY['movie', 'episode', 'track', 'live', 'other'])[1 + c % 5],
       ('00000000-0000-4000-c000-' || lpad(to_hex(c), 12, '0'))::uuid,
       'Generated title ' || c,
       'Load Client', 'Device ' || (u % 5), NULL, 'Device ' || (u % 5) || ' / Load Client',
       '198.51.100.9'::inet, g % 3 = 0, '720p', 4000, dur::bigint * 500000, 'ended',
       st, st + make_interval(secs => dur), st + make_interval(secs => dur), dur, dur, 'client', st
FROM (
  SELECT g, (random() * 700000)::int AS u, floor(power(random(), 3) * 20000)::int AS c,
         date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
           + random() * (LEAST(now(), date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + interval '1 day')
                         - (date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC') - interval '10 minutes') AS st,
         (random() * 600)::int AS dur
  FROM generate_series(1, 87000) g
) s
WHERE NOT EXISTS (SELECT 1 FROM session_ids WHERE id = '00000000-0000-4000-d000-000000000001');
INSERT INTO session_ids (id, started_at)
SELECT id, started_at FROM playback_sessions WHERE id::text LIKE '00000000-0000-4000-d000-%' ON CONFLICT (id) DO NOTHING;
