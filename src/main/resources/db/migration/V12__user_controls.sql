-- Per-user controls and trust (issue 15, part B). One writer for all of it: the detector
-- (detect/SharingDetectorVerticle through detect/UserControlsStore and detect/AlertRepository).
-- No foreign key to users (the registry's table): the detector checks the user exists before
-- writing, and users are never deleted.

-- Rules a user is exempt from (until exempt_until when set) and per-user thresholds replacing the
-- global ones ({"concurrent_streams": 5, ...}). Validated by the detector before it writes.
CREATE TABLE user_rule_overrides (
  user_id       uuid        PRIMARY KEY,
  exempt        text[]      NOT NULL DEFAULT '{}',
  exempt_until  timestamptz,
  thresholds    jsonb       NOT NULL DEFAULT '{}',
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    text
);

-- Devices an admin vouched for: never a new device, never half of a geo or travel pair.
CREATE TABLE trusted_devices (
  user_id     uuid        NOT NULL,
  device_key  text        NOT NULL CHECK (char_length(device_key) BETWEEN 1 AND 500),
  label       text        CHECK (char_length(label) <= 200),
  created_at  timestamptz NOT NULL DEFAULT now(),
  created_by  text,
  PRIMARY KEY (user_id, device_key)
);

-- Trust score of users who ever had an alert (no row = 100). score changes by an alert raised
-- (minus its penalty, in the statement that inserts the alert), its dismissal (plus the same
-- penalty) and the daily recovery (plus recovery_per_day for each UTC day after both
-- last_alert_on and recovered_through, so a re-run or a missed day never counts a day twice).
CREATE TABLE user_trust (
  user_id            uuid     PRIMARY KEY,
  score              integer  NOT NULL CHECK (score BETWEEN 0 AND 100),
  last_alert_on      date     NOT NULL,
  recovered_through  date     NOT NULL
);
CREATE INDEX user_trust_score ON user_trust (score, user_id);

-- the penalty an alert took from its user's trust, given back exactly on dismissal
ALTER TABLE sharing_alerts ADD COLUMN trust_penalty integer NOT NULL DEFAULT 0;
