-- History imports (issue 16). Both tables are written by the importer verticle alone (one writer); the session
-- registry only reads import_staging when it moves an import into playback_sessions (sessions.import).

-- One row per import job. The uploaded file lives on the node that received it (node_id), so only that node
-- can run it; one import runs at a time in the whole cluster (imports_one_running).
CREATE TABLE imports (
  id                 uuid PRIMARY KEY,
  source             text        NOT NULL CHECK (source IN ('tautulli', 'jellystat', 'playback_reporting')),
  status             text        NOT NULL DEFAULT 'queued'
                                 CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
  -- while running: reading the file, moving the staged rows in, rebuilding the touched days' roll-ups
  phase              text        CHECK (phase IN ('reading', 'moving_in', 'rolling_up')),
  file_name          text        CHECK (char_length(file_name) <= 500),
  file_bytes         bigint      NOT NULL DEFAULT 0,
  -- where the upload waits on node_id's disk; null once it has been deleted
  file_path          text,
  node_id            text        NOT NULL,
  server_id          uuid,
  timezone           text,
  rows_read          bigint      NOT NULL DEFAULT 0,
  rows_imported      bigint      NOT NULL DEFAULT 0,
  rows_skipped       bigint      NOT NULL DEFAULT 0,
  skipped_by_reason  jsonb       NOT NULL DEFAULT '{}',
  -- how far the reader is: rows of a SQLite table, or bytes of a JSON file (both passes)
  progress_unit      text        CHECK (progress_unit IN ('rows', 'bytes')),
  progress_done      bigint,
  progress_total     bigint,
  cancel_requested   boolean     NOT NULL DEFAULT false,
  error              text,
  requested_by       text,
  created_at         timestamptz NOT NULL DEFAULT now(),
  started_at         timestamptz,
  -- the running node touches this at least every few seconds; a running import silent for long lost its node
  progress_at        timestamptz,
  finished_at        timestamptz
);
CREATE INDEX imports_created ON imports (created_at DESC, id DESC);
CREATE INDEX imports_queued ON imports (node_id, created_at) WHERE status = 'queued';
-- one running import per cluster, by a constraint: two nodes claiming at once cannot both win
CREATE UNIQUE INDEX imports_one_running ON imports ((true)) WHERE status = 'running';

-- The rows an import has read, waiting to be moved in by one transaction. UNLOGGED: a crash loses only rows
-- of an import that did not finish (it is failed and re-run), and staging skips the WAL.
CREATE UNLOGGED TABLE import_staging (
  import_id               uuid             NOT NULL,
  id                      uuid             NOT NULL,
  server_id               uuid,
  user_id                 uuid             NOT NULL,
  user_external_id        text             NOT NULL,
  user_name               text,
  content_id              uuid             NOT NULL,
  content_external_id     text             NOT NULL,
  content_type            text             NOT NULL,
  content_title           text,
  series_title            text,
  season_number           integer,
  episode_number          integer,
  year                    integer,
  media_duration_seconds  double precision,
  client_name             text             NOT NULL,
  device_name             text             NOT NULL,
  device_id               text,
  device_key              text             NOT NULL,
  ip_address              inet             NOT NULL,
  transcoded              boolean          NOT NULL,
  resolution              text,
  bandwidth_kbps          integer          NOT NULL,
  started_at              timestamptz      NOT NULL,
  ended_at                timestamptz      NOT NULL,
  duration_seconds        double precision NOT NULL,
  position_seconds        double precision NOT NULL
);
CREATE INDEX import_staging_import ON import_staging (import_id);
