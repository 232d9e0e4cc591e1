-- Issue 18: playback_sessions partitioned by RANGE (started_at), one partition per UTC month, so retention
-- drops whole months (DROP TABLE: no dead tuples, a few kB of WAL) instead of deleting millions of rows in
-- batches. The columns, checks, defaults and indexes are those of V1/V3/V4/V5/V9.
--
-- A partitioned table's primary key must contain the partition key, so it is (id, started_at): the id alone is
-- no longer unique across partitions. Starts are retried with the same id (and, from some clients, a different
-- started_at), and imports rely on "a session whose id exists is left alone", so the id's uniqueness lives in a
-- narrow guard table, session_ids, written in the same statement as the session (see SessionRepository.INSERT
-- and HistoryImport). It also tells the update paths (end, find, flush) the started_at of an id, which lets
-- PostgreSQL prune every partition but one at run time instead of probing each partition's primary key.
--
-- Rows outside every monthly partition land in playback_sessions_default: old history imported before its
-- months were created, or a clock far off. Partitions are created ahead by a periodic job (current month + 2,
-- SessionPartitions) and on demand before an import for the imported months; the DEFAULT partition is only the
-- safety net. A month that already has rows in DEFAULT is not created (PostgreSQL would refuse: moving those
-- rows out of DEFAULT is out of scope), so those rows stay in DEFAULT and retention deletes them in batches.

ALTER TABLE playback_sessions RENAME TO playback_sessions_v15;
ALTER TABLE playback_sessions_v15 RENAME CONSTRAINT playback_sessions_pkey TO playback_sessions_v15_pkey;
-- the copy does not need them, and their names are taken by the new table's
DROP INDEX IF EXISTS playback_sessions_open_user;
DROP INDEX IF EXISTS playback_sessions_user_history;
DROP INDEX IF EXISTS playback_sessions_started;
DROP INDEX IF EXISTS playback_sessions_span;
DROP INDEX IF EXISTS playback_sessions_late;
DROP INDEX IF EXISTS playback_sessions_user_server;

CREATE TABLE playback_sessions (
  id                 uuid        NOT NULL,
  user_id            uuid        NOT NULL,
  content_type       text        NOT NULL CHECK (content_type IN ('movie', 'episode', 'track', 'live', 'other')),
  content_id         uuid        NOT NULL,
  content_title      text        CHECK (char_length(content_title) <= 300),
  client_name        text        NOT NULL,
  device_name        text        NOT NULL,
  device_id          text,
  device_key         text        NOT NULL,
  ip_address         inet        NOT NULL,
  transcoded         boolean     NOT NULL DEFAULT false,
  resolution         text,
  bandwidth_kbps     integer     NOT NULL DEFAULT 0 CHECK (bandwidth_kbps >= 0),
  bytes_transferred  bigint      NOT NULL DEFAULT 0 CHECK (bytes_transferred >= 0),
  status             text        NOT NULL CHECK (status IN ('playing', 'paused', 'buffering', 'ended', 'timed_out')),
  started_at         timestamptz NOT NULL,
  ended_at           timestamptz,
  last_heartbeat_at  timestamptz NOT NULL,
  duration_seconds   double precision NOT NULL DEFAULT 0 CHECK (duration_seconds >= 0),
  position_seconds   double precision NOT NULL DEFAULT 0 CHECK (position_seconds >= 0),
  ended_reason       text        CONSTRAINT playback_sessions_ended_reason_check
                                 CHECK (ended_reason IN ('client', 'timeout', 'admin', 'terminated', 'imported')),
  geo_city           text,
  geo_country        text,
  geo_latitude       double precision,
  geo_longitude      double precision,
  geo_accuracy_km    integer,
  -- server time the start was received: the reaper judges silence by the server's clock, so a late
  -- start report (started_at in the past) is not reaped before its first heartbeat
  created_at         timestamptz NOT NULL DEFAULT now(),
  server_id          uuid,
  CHECK ((ended_at IS NULL) = (status IN ('playing', 'paused', 'buffering'))),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
) PARTITION BY RANGE (started_at);

-- The HOT-heartbeat setting of V4 is a storage parameter, which only a partition holds: every partition is
-- created with it (here and in session_partitions_ensure).
CREATE TABLE playback_sessions_default PARTITION OF playback_sessions DEFAULT WITH (fillfactor = 80);

-- One row per session id ever stored: the global uniqueness the partitioned primary key cannot give.
-- Written with the session, deleted with it (retention).
CREATE TABLE session_ids (
  id          uuid        PRIMARY KEY,
  started_at  timestamptz NOT NULL
);

-- Creates the missing monthly partitions (UTC months) from the month of from_day to the month of to_day,
-- each with the V4 fillfactor. A month that already has rows in the DEFAULT partition is skipped (ATTACH
-- would fail): the count of partitions created is returned. Idempotent, and a no-op without DDL (no lock on
-- playback_sessions) when every month exists, so the hourly job costs a catalog read.
CREATE FUNCTION session_partitions_ensure(from_day date, to_day date) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
  m date := date_trunc('month', from_day)::date;
  last_month date := date_trunc('month', to_day)::date;
  part text;
  lo timestamptz;
  hi timestamptz;
  made integer := 0;
BEGIN
  -- creating a partition locks playback_sessions exclusively: give up after 5 s rather than queue every session
  -- statement behind a long reader or an import's transaction (the hourly job retries; an import fails with the
  -- reason). Local to the caller's transaction.
  PERFORM set_config('lock_timeout', '5s', true);
  WHILE m <= last_month LOOP
    part := 'playback_sessions_p' || to_char(m, 'YYYYMM');
    lo := (m::timestamp AT TIME ZONE 'UTC');
    hi := ((m + interval '1 month')::timestamp AT TIME ZONE 'UTC');
    IF to_regclass(part) IS NULL
       AND NOT EXISTS (SELECT 1 FROM playback_sessions_default WHERE started_at >= lo AND started_at < hi) THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF playback_sessions FOR VALUES FROM (%L) TO (%L) WITH (fillfactor = 80)',
                     part, lo, hi);
      made := made + 1;
    END IF;
    m := (m + interval '1 month')::date;
  END LOOP;
  RETURN made;
END $$;

-- The existing rows' months (at most five years back: older rows go to DEFAULT) up to two months ahead.
SELECT session_partitions_ensure(
  GREATEST(COALESCE((SELECT (min(started_at) AT TIME ZONE 'UTC')::date FROM playback_sessions_v15), current_date),
           (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '60 months')::date),
  ((now() AT TIME ZONE 'UTC') + interval '2 months')::date);

-- Every row moves, column by column (the old table's column order differs: server_id was added by V5).
INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
  device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status, started_at,
  ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason, geo_city, geo_country, geo_latitude,
  geo_longitude, geo_accuracy_km, created_at, server_id)
SELECT id, user_id, content_type, content_id, content_title, client_name, device_name,
  device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status, started_at,
  ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason, geo_city, geo_country, geo_latitude,
  geo_longitude, geo_accuracy_km, created_at, server_id
FROM playback_sessions_v15;

INSERT INTO session_ids (id, started_at) SELECT id, started_at FROM playback_sessions_v15;

DROP TABLE playback_sessions_v15;

-- Indexes after the copy (one sorted build per partition instead of row-by-row inserts). Each still serves:
-- open_user: the reaper, the active list and a user's open sessions (a few thousand rows in all, a near-empty
--   index in each old month);
-- user_history: a user's history, newest first; ordered by started_at, it is read partition after partition
--   from the newest one, so a page stops in the first partition that fills it;
-- started: the roll-up's day and the retention edge (within the month that pruning leaves);
-- span, late, user_server: the concurrency stats, the late-report roll-up path, GET /users/{id}.
ALTER TABLE playback_sessions ADD CONSTRAINT playback_sessions_pkey PRIMARY KEY (id, started_at);
CREATE INDEX playback_sessions_open_user ON playback_sessions (user_id) WHERE ended_at IS NULL;
CREATE INDEX playback_sessions_user_history ON playback_sessions (user_id, started_at DESC, id DESC);
CREATE INDEX playback_sessions_started ON playback_sessions (started_at);
CREATE INDEX playback_sessions_span ON playback_sessions USING gist (tstzrange(started_at, ended_at, '[)'));
CREATE INDEX playback_sessions_late ON playback_sessions (created_at)
  WHERE created_at - started_at > interval '5 minutes';
CREATE INDEX playback_sessions_user_server ON playback_sessions (user_id, server_id) WHERE server_id IS NOT NULL;

ANALYZE playback_sessions;
ANALYZE session_ids;
