-- Notifications (issue 14). One writer: notify/NotifierVerticle.

-- A channel's whole spec (ChannelSpec.storedJson, secrets included) is one jsonb: the per-type fields differ
-- and are validated in Java; the API never returns this column as is (ChannelSpec.toJson drops secrets).
CREATE TABLE notification_channels (
  id          uuid PRIMARY KEY,
  name        text        NOT NULL UNIQUE CHECK (char_length(name) BETWEEN 1 AND 100),
  type        text        NOT NULL CHECK (type IN ('webhook', 'discord', 'slack', 'ntfy', 'gotify', 'telegram', 'pushover', 'email')),
  spec        jsonb       NOT NULL,
  source      text        NOT NULL CHECK (source IN ('api', 'config')),
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The delivery outbox: one row per (channel, event). The id is the delivery id every attempt carries
-- (X-Analytics-Delivery); (channel_id, event_key) makes writing the same event twice a no-op, so every node,
-- the bus path and the catch-up sweep may all try.
CREATE TABLE notification_deliveries (
  id               uuid PRIMARY KEY,
  channel_id       uuid        NOT NULL REFERENCES notification_channels (id) ON DELETE CASCADE,
  event            text        NOT NULL,
  event_key        text        NOT NULL CHECK (char_length(event_key) <= 300),
  payload          jsonb       NOT NULL,
  occurred_at      timestamptz NOT NULL,
  status           text        NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  claimed_by       text,
  claimed_until    timestamptz,
  last_status      integer,
  last_error       text,
  delivered_at     timestamptz,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (channel_id, event_key)
);
-- the worker's claim: only rows still to do are indexed
CREATE INDEX notification_deliveries_due ON notification_deliveries (next_attempt_at) WHERE status IN ('pending', 'delivering');
CREATE INDEX notification_deliveries_log ON notification_deliveries (created_at DESC, id DESC);
CREATE INDEX notification_deliveries_failed ON notification_deliveries (created_at DESC, id DESC) WHERE status = 'failed';

-- The catch-up sweep's watermark: alerts changed after it are checked for missing deliveries. Starts at the
-- migration, so an upgrade does not announce every old alert.
CREATE TABLE notification_sweep (
  id           integer     PRIMARY KEY CHECK (id = 1),
  swept_until  timestamptz NOT NULL
);
INSERT INTO notification_sweep (id, swept_until) VALUES (1, now());

-- the catch-up sweep reads alerts changed since its watermark
CREATE INDEX sharing_alerts_updated ON sharing_alerts (updated_at);
