-- Scenario 5's history: :rows ended sessions started uniformly over the 90 days before today (UTC), in one
-- generate_series INSERT. 100 000 users, 20 000 content items with a skewed popularity (a few titles get most
-- plays), played 0-2 h each (all ended before today), a quarter transcoded; created_at = started_at (reported on
-- time, not late).
\set ON_ERROR_STOP on
-- Loading 10 M rows with the secondary indexes in place is far slower than building them once afterwards:
-- the non-unique indexes (whatever the migrations define) are dropped, then rebuilt from their own definitions.
-- Generated ids are sequential (appended to the primary key's b-tree, not scattered).
SET maintenance_work_mem = '512MB';
-- playback_sessions is partitioned by month (V16): the generated months get their partitions first (the
-- service's job only creates the current month and two ahead), or the rows would all land in DEFAULT
SELECT session_partitions_ensure((now() AT TIME ZONE 'UTC')::date - 91, (now() AT TIME ZONE 'UTC')::date);
CREATE TEMP TABLE bench_indexes AS
  SELECT indexrelid::regclass::text AS name, pg_get_indexdef(indexrelid) AS def
  FROM pg_index WHERE indrelid = 'playback_sessions'::regclass AND NOT indisunique;
DO $$ DECLARE i record; BEGIN
  FOR i IN SELECT name FROM bench_indexes LOOP EXECUTE 'DROP INDEX ' || i.name; END LOOP;
END $$;

INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
  device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status,
  started_at, ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason, created_at)
SELECT ('00000000-0000-4000-a000-' || lpad(to_hex(g), 12, '0'))::uuid,
       ('00000000-0000-4000-b000-' || lpad(to_hex(u), 12, '0'))::uuid,
       (ARRAY['movie', 'episode', 'track', 'live', 'other'])[1 + c % 5],
       ('00000000-0000-4000-c000-' || lpad(to_hex(c), 12, '0'))::uuid,
       'Generated title ' || c,
       'Bench Client', 'Device ' || (u % 7), NULL, 'Device ' || (u % 7) || ' / Bench Client',
       '203.0.113.7'::inet, g % 4 = 0, '1080p', 8000, dur::bigint * 1000000, 'ended',
       st, st + make_interval(secs => dur), st + make_interval(secs => dur), dur, dur, 'client', st
FROM (
  SELECT g,
         (random() * 99999)::int AS u,
         floor(power(random(), 3) * 20000)::int AS c,
         date_trunc('day', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' - interval '90 days'
           + random() * (interval '90 days' - interval '2 hours') AS st,
         (random() * 7200)::int AS dur
  FROM generate_series(1, :rows) g
) s;

-- (on the partitioned table pg_get_indexdef says "ON ONLY", which would build the parent's index alone,
-- invalid and unused: the partitions' indexes are built by the plain form)
DO $$ DECLARE i record; BEGIN
  FOR i IN SELECT def FROM bench_indexes LOOP EXECUTE replace(i.def, ' ON ONLY ', ' ON '); END LOOP;
END $$;

-- the guard table the registry writes with each session (V16): without its rows the service would not find
-- the generated sessions by id
INSERT INTO session_ids (id, started_at)
SELECT id, started_at FROM playback_sessions WHERE id::text LIKE '00000000-0000-4000-a000-%'
ON CONFLICT (id) DO NOTHING;
