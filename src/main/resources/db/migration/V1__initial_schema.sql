-- Sessions: one row per playback session. Starts and ends are committed before the client's 2xx;
-- heartbeats are coalesced and written in batches (see docs/architecture.md, durability contract).
CREATE TABLE playback_sessions (
  id                 uuid PRIMARY KEY,
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
  ended_reason       text        CHECK (ended_reason IN ('client', 'timeout', 'admin')),
  geo_city           text,
  geo_country        text,
  geo_latitude       double precision,
  geo_longitude      double precision,
  geo_accuracy_km    integer,
  -- server time the start was received: the reaper judges silence by the server's clock, so a late
  -- start report (started_at in the past) is not reaped before its first heartbeat
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((ended_at IS NULL) = (status IN ('playing', 'paused', 'buffering'))),
  CHECK (ended_at IS NULL OR ended_at >= started_at)
);

-- "active" sessions: small partial index, also drives the reaper
CREATE INDEX playback_sessions_open ON playback_sessions (last_heartbeat_at) WHERE ended_at IS NULL;
CREATE INDEX playback_sessions_open_user ON playback_sessions (user_id) WHERE ended_at IS NULL;
-- user history, newest first, keyset-paginated on (started_at, id)
CREATE INDEX playback_sessions_user_history ON playback_sessions (user_id, started_at DESC, id DESC);
-- roll-ups by day and retention
CREATE INDEX playback_sessions_started ON playback_sessions (started_at);

-- Sharing alerts. One *open* alert per (user, type): a partial unique index, so racing nodes cannot
-- duplicate one; a later violation of the same type updates it (occurrences, evidence, updated_at).
CREATE TABLE sharing_alerts (
  id              uuid PRIMARY KEY,
  user_id         uuid        NOT NULL,
  alert_type      text        NOT NULL CHECK (alert_type IN ('concurrent_streams', 'geo_impossible', 'impossible_travel', 'device_spike')),
  severity        text        NOT NULL CHECK (severity IN ('low', 'medium', 'high')),
  evidence        jsonb       NOT NULL,
  session_ids     uuid[]      NOT NULL DEFAULT '{}',
  device_keys     text[]      NOT NULL DEFAULT '{}',
  status          text        NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed')),
  created_at      timestamptz NOT NULL DEFAULT now(),
  updated_at      timestamptz NOT NULL DEFAULT now(),
  occurrences     integer     NOT NULL DEFAULT 1,
  dismissed_at    timestamptz,
  dismissed_by    text,
  dismiss_reason  text
);
CREATE UNIQUE INDEX sharing_alerts_one_open ON sharing_alerts (user_id, alert_type) WHERE status = 'open';
CREATE INDEX sharing_alerts_created ON sharing_alerts (created_at DESC, id DESC);
CREATE INDEX sharing_alerts_user ON sharing_alerts (user_id, created_at DESC, id DESC);

-- First/last time each device was seen for a user (device_spike rule).
CREATE TABLE user_devices (
  user_id        uuid        NOT NULL,
  device_key     text        NOT NULL,
  first_seen_at  timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL,
  PRIMARY KEY (user_id, device_key)
);
CREATE INDEX user_devices_first_seen ON user_devices (user_id, first_seen_at DESC);

-- Roll-ups: small tables that answer the stats endpoints without scanning raw sessions.
CREATE TABLE daily_stats (
  day                      date PRIMARY KEY,
  total_sessions           bigint  NOT NULL,
  total_duration_seconds   double precision NOT NULL,
  unique_users             bigint  NOT NULL,
  total_bytes              numeric NOT NULL,
  transcoded_sessions      bigint  NOT NULL,
  peak_concurrent_streams  integer NOT NULL,
  finalized                boolean NOT NULL DEFAULT false,
  rolled_up_at             timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE daily_content_stats (
  day                     date NOT NULL,
  content_id              uuid NOT NULL,
  content_type            text NOT NULL,
  content_title           text,
  play_count              bigint NOT NULL,
  unique_users            bigint NOT NULL,
  total_watch_seconds     double precision NOT NULL,
  PRIMARY KEY (day, content_id)
);
CREATE INDEX daily_content_stats_type ON daily_content_stats (content_type, day);

CREATE TABLE hourly_concurrency (
  hour_start  timestamptz PRIMARY KEY,
  peak        integer NOT NULL
);

-- Periodic work claims a slot (job, period number) exactly once cluster-wide: the INSERT that wins runs
-- the job. No lock is held across a node's death, so survivors carry on at the next period.
CREATE TABLE job_runs (
  job          text        NOT NULL,
  slot         bigint      NOT NULL,
  node_id      text        NOT NULL,
  claimed_at   timestamptz NOT NULL DEFAULT now(),
  finished_at  timestamptz,
  PRIMARY KEY (job, slot)
);
