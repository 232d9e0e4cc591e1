-- Media servers the connector watches (issue 13), and which node watches each one.
-- Both tables are written by media/MediaServerVerticle alone (one writer): REST commands and the config file
-- create, change and delete servers; the node holding a server's lease writes its status.
CREATE TABLE media_servers (
  id                     uuid        PRIMARY KEY,   -- MediaIds.server(type, own id) when validated, else random
  name                   text        NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
  type                   text        NOT NULL CHECK (type IN ('jellyfin', 'emby', 'plex')),
  url                    text        NOT NULL CHECK (char_length(url) <= 2000),
  token                  text        NOT NULL CHECK (char_length(token) BETWEEN 1 AND 1000),  -- never returned
  enabled                boolean     NOT NULL DEFAULT true,
  poll_interval_seconds  integer     NOT NULL DEFAULT 5 CHECK (poll_interval_seconds BETWEEN 1 AND 60),
  source                 text        NOT NULL CHECK (source IN ('api', 'config')),
  server_own_id          text        CHECK (char_length(server_own_id) <= 200),
  version                text        CHECK (char_length(version) <= 100),
  status                 text        NOT NULL DEFAULT 'unknown'
                                     CHECK (status IN ('up', 'unreachable', 'unauthorized', 'unknown')),
  status_detail          text        CHECK (char_length(status_detail) <= 500),
  status_changed_at      timestamptz,
  created_at             timestamptz NOT NULL DEFAULT now(),
  updated_at             timestamptz NOT NULL DEFAULT now()
);

-- One row per watched server: the node that polls it until expires_at. A node renews its leases every
-- third of the TTL; a lease that is not renewed expires and the next node to look takes it.
CREATE TABLE media_server_leases (
  server_id   uuid        PRIMARY KEY REFERENCES media_servers (id) ON DELETE CASCADE,
  node_id     text        NOT NULL,
  expires_at  timestamptz NOT NULL
);
