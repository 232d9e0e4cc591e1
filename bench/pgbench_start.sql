-- Scenario 2's limit: the statement a session start runs (SessionRepository.INSERT: the id guard, the session row and
-- its device upsert in one statement, returning the session's columns), against scratch copies of the two
-- tables (CREATE TABLE ... (LIKE ... INCLUDING ALL): same columns, constraints and indexes) on the same
-- PostgreSQL. Keep in step with SessionRepository.INSERT.
WITH g AS (
  -- session_ids guards the id (the partitioned table's key is (id, started_at)), as in the start itself
  INSERT INTO bench_scratch_ids (id, started_at) VALUES (gen_random_uuid(), now()) ON CONFLICT (id) DO NOTHING
  RETURNING id, started_at
), ins AS (
  INSERT INTO bench_scratch_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
    device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, status, started_at, last_heartbeat_at,
    geo_city, geo_country, geo_latitude, geo_longitude, geo_accuracy_km)
  SELECT g.id, gen_random_uuid(), 'movie', gen_random_uuid(), 'Bench Movie', 'Bench Client', 'Bench Device',
    'bench-start', 'bench-start', '203.0.113.7'::text::inet, false, '1080p', 8000, 'playing', g.started_at, g.started_at,
    NULL, NULL, NULL, NULL, NULL
  FROM g
  RETURNING *
), dev AS (
  INSERT INTO bench_scratch_devices (user_id, device_key, first_seen_at, last_seen_at)
  SELECT user_id, device_key, started_at, started_at FROM ins
  ON CONFLICT (user_id, device_key) DO UPDATE
    SET first_seen_at = LEAST(bench_scratch_devices.first_seen_at, EXCLUDED.first_seen_at),
        last_seen_at = GREATEST(bench_scratch_devices.last_seen_at, EXCLUDED.last_seen_at)
)
SELECT id, user_id, content_type, content_id, content_title, client_name, device_name, device_id, device_key,
  host(ip_address) AS ip, transcoded, resolution, bandwidth_kbps, bytes_transferred, status, started_at, ended_at,
  last_heartbeat_at, duration_seconds, position_seconds, ended_reason,
  geo_city, geo_country, geo_latitude, geo_longitude, geo_accuracy_km
FROM ins;
