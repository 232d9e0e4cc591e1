-- Issue 15 part A: rule settings (written by detect), enforcement actions and the audit log (written by enforce).

-- Per-rule settings changed through PUT /rules/{rule}; absent = the config file's values.
CREATE TABLE rule_settings (
  rule        text        PRIMARY KEY
              CHECK (rule IN ('concurrent_streams', 'geo_impossible', 'impossible_travel', 'device_spike')),
  settings    jsonb       NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  updated_by  text
);

-- One intended rule action per alert, stored before it is carried out (due_at = raised + delay_seconds);
-- claimed with a lease (claimed_until) so it runs once cluster-wide and a dead node's claim is taken over.
CREATE TABLE enforcement_actions (
  id             uuid        PRIMARY KEY,
  alert_id       uuid        NOT NULL UNIQUE,
  user_id        uuid        NOT NULL,
  rule           text        NOT NULL,
  action         jsonb       NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  due_at         timestamptz NOT NULL,
  claimed_by     text,
  claimed_until  timestamptz,
  outcome        text        CHECK (outcome IN ('terminated', 'skipped_already_ended', 'skipped_condition_cleared',
                                                'skipped_cooldown', 'skipped_trust', 'failed')),
  detail         text,
  session_ids    uuid[]      NOT NULL DEFAULT '{}',
  done_at        timestamptz
);
CREATE INDEX enforcement_actions_due ON enforcement_actions (due_at) WHERE outcome IS NULL;
CREATE INDEX enforcement_actions_cooldown ON enforcement_actions (user_id, rule, done_at) WHERE outcome = 'terminated';

-- Append-only: no route updates or deletes a row; only retention (retention_days x 4) removes old ones.
CREATE TABLE audit_log (
  id        uuid        PRIMARY KEY,
  at        timestamptz NOT NULL DEFAULT now(),
  actor     text        NOT NULL CHECK (char_length(actor) <= 200),
  action    text        NOT NULL CHECK (char_length(action) <= 100),
  target    text        CHECK (char_length(target) <= 500),
  result    text        NOT NULL CHECK (result IN ('ok', 'forbidden')),
  status    int         NOT NULL,
  before    jsonb,
  after     jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
CREATE INDEX audit_log_actor ON audit_log (actor, at DESC, id DESC);
CREATE INDEX audit_log_action ON audit_log (action, at DESC, id DESC);
