-- API keys managed at run time (issue 19). One writer: keys/KeysVerticle.
-- Only the SHA-256 (hex) of a key is stored; the key itself is shown once, in the create response.
-- A revoked key keeps its row (revoked_at set) so that what it did stays attributable to its name.
CREATE TABLE api_keys (
  id            uuid PRIMARY KEY,
  name          text        NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
  role          text        NOT NULL CHECK (role IN ('admin', 'ingest', 'viewer')),
  key_hash      text        NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  created_by    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_used_at  timestamptz,
  expires_at    timestamptz,
  revoked_at    timestamptz
);

-- actions are attributed to a key's name: two live keys must not share one
CREATE UNIQUE INDEX api_keys_active_name ON api_keys (name) WHERE revoked_at IS NULL;
