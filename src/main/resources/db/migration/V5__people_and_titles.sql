-- People and titles by name (issue 13), and the two new ways a session can end (issues 15 and 16).
-- users and content are written by the session registry alone (one writer): every start that carries a name
-- (a media-server connector, a direct client, an import) upserts them, the latest value wins. Ids are the
-- sessions' own user_id / content_id: UUIDv5 under the server's id for connector and import sessions, or
-- whatever a direct client sends.
CREATE TABLE users (
  id             uuid PRIMARY KEY,
  name           text        CHECK (char_length(name) <= 200),
  server_id      uuid,
  external_id    text        CHECK (char_length(external_id) <= 200),
  first_seen_at  timestamptz NOT NULL,
  last_seen_at   timestamptz NOT NULL
);
-- GET /users?q= matches names case-insensitively by prefix or infix (small table: a trigram index is not needed)
CREATE INDEX users_last_seen ON users (last_seen_at DESC, id DESC);

CREATE TABLE content (
  id                uuid PRIMARY KEY,
  content_type      text        NOT NULL,
  title             text        CHECK (char_length(title) <= 300),
  series_title      text        CHECK (char_length(series_title) <= 300),
  season_number     integer     CHECK (season_number >= 0),
  episode_number    integer     CHECK (episode_number >= 0),
  year              integer     CHECK (year BETWEEN 1800 AND 3000),
  duration_seconds  double precision CHECK (duration_seconds >= 0),
  server_id         uuid,
  external_id       text        CHECK (char_length(external_id) <= 200),
  updated_at        timestamptz NOT NULL DEFAULT now()
);

-- the media server a session was seen on (null for direct clients)
ALTER TABLE playback_sessions ADD COLUMN server_id uuid;

ALTER TABLE playback_sessions DROP CONSTRAINT playback_sessions_ended_reason_check;
ALTER TABLE playback_sessions ADD CONSTRAINT playback_sessions_ended_reason_check
  CHECK (ended_reason IN ('client', 'timeout', 'admin', 'terminated', 'imported'));
