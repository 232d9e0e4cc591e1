package io.tracearr.analytics.bus;

/**
 * Every event-bus address in one place. Commands are served by local consumers on the node that
 * took the request (no cross-node hop on the hot path); events are facts published cluster-wide so
 * that every node's gateway can push them to its own dashboards.
 */
public final class Addresses {

  private Addresses() {}

  // commands (local consumers), payloads documented in docs/architecture.md
  public static final String SESSIONS_START = "sessions.start";
  public static final String SESSIONS_HEARTBEAT = "sessions.heartbeat";
  public static final String SESSIONS_END = "sessions.end";

  /**
   * open an import's transaction: {@code {"import_id", "server_id"}} → {@code {"status": 200}}.
   * Served by the registry (the one writer of playback_sessions, users and content); the import's
   * sessions, users and content are written in that one transaction, held until {@link
   * #SESSIONS_IMPORT_END}. Sent by the importer, like the two below.
   */
  public static final String SESSIONS_IMPORT_BEGIN = "sessions.import.begin";

  /**
   * one batch of an open import's sessions, a {@code session.HistoryBatch} (local only, never
   * copied) → {@code {"status": 200}} once its INSERT is done, or a problem (the import is then
   * rolled back by its end)
   */
  public static final String SESSIONS_IMPORT_ROWS = "sessions.import.rows";

  /**
   * close an import's transaction: {@code {"import_id", "commit": true}} → users and content
   * upserted, COMMIT, {@code {"status": 200, "body": {"sessions_inserted", "users_upserted",
   * "content_upserted", "first_started_at", "last_started_at"}}}; {@code "commit": false} →
   * ROLLBACK
   */
  public static final String SESSIONS_IMPORT_END = "sessions.import.end";

  /** registry → its local detector: one session event to judge, exactly once in the cluster */
  public static final String DETECT_SESSION = "detect.session";

  /**
   * dismiss an alert: {@code {"id", "by", "reason"}} → {@code {"status": 200, "body": alert}} or a
   * 404 problem; the detector (the one writer of sharing_alerts) writes it and publishes {@code
   * events.alert.dismissed} once
   */
  public static final String ALERTS_DISMISS = "alerts.dismiss";

  /**
   * delete ended sessions that started before {@code {"before": instant}}, in batches; replies
   * {@code {"deleted"}}. Sent by the aggregator's retention, which decides how far (only days final
   * in the roll-ups); the registry, the one writer of playback_sessions, deletes.
   */
  public static final String SESSIONS_EXPIRE = "sessions.expire";

  /** run the detector's alert retention now; replies {@code {"alerts_deleted"}} */
  public static final String ALERTS_RETENTION = "alerts.retention";

  /** run DetectSharing now (POST /sharing/detect) */
  public static final String DETECT_SWEEP = "detect.sweep";

  /**
   * run the roll-up now, {@code {}} or {@code {"late_from": instant, "late_to": instant,
   * "imported_at": instant}} (the days from one to the other are recomputed: an import's; without
   * late_to, up to today; imported_at, the import's transaction start, is recorded as rolled up
   * when the run succeeds, so later runs do not re-roll it); replies with today's DailyStat JSON
   */
  public static final String STATS_ROLLUP = "stats.rollup";

  /** run the roll-ups' retention now; replies {@code {sessions_deleted, sessions_kept_from}} */
  public static final String STATS_RETENTION = "stats.retention";

  /**
   * media servers (local, served by media/MediaServerVerticle, the one writer of media_servers):
   * create {@code {"body", "validate"}} → 201 server | 400 | 409 | 422; update {@code {"id",
   * "body", "validate"}} → 200 | 400 | 404 | 409 | 422; delete {@code {"id"}} → 204 | 404 | 409.
   * Replies are {@code CommandReply} bodies, never with the token.
   */
  public static final String MEDIA_SERVERS_CREATE = "media.servers.create";

  public static final String MEDIA_SERVERS_UPDATE = "media.servers.update";
  public static final String MEDIA_SERVERS_DELETE = "media.servers.delete";

  /**
   * media (cluster-wide, internal): a server was created, changed or deleted {@code {"id"}}:
   * re-read the table now
   */
  public static final String MEDIA_SERVERS_CHANGED = "media.servers.changed";

  /**
   * notification channels, served by the local notifier (the one writer of notification_channels):
   * create {@code {"body"}}, update {@code {"id","body"}} (merge patch), delete {@code {"id"}},
   * test {@code {"id"}} → a {@code CommandReply}
   */
  public static final String NOTIFY_CHANNELS_CREATE = "notify.channels.create";

  public static final String NOTIFY_CHANNELS_UPDATE = "notify.channels.update";
  public static final String NOTIFY_CHANNELS_DELETE = "notify.channels.delete";
  public static final String NOTIFY_CHANNELS_TEST = "notify.channels.test";

  /**
   * published cluster-wide by the notifier that changed a channel: every node reloads its channel
   * list
   */
  public static final String NOTIFY_CHANNELS_CHANGED = "notify.channels.changed";

  /** re-send a failed delivery: {@code {"id"}} → the delivery, 404, or 409 when it is not failed */
  public static final String NOTIFY_DELIVERIES_RETRY = "notify.deliveries.retry";

  /**
   * queue an uploaded file for import: {@code {"source", "file_path", "file_name", "file_bytes",
   * "server_id"?, "timezone"?, "requested_by"}} → {@code {"status": 202, "body": import}} or a 400
   * problem; sent by the gateway that received the upload to its own importer (the file is on this
   * node's disk)
   */
  public static final String IMPORTS_START = "imports.start";

  /**
   * cancel an import: {@code {"id"}} → {@code {"status": 200, "body": import}}, a 404 or a 409
   * problem
   */
  public static final String IMPORTS_CANCEL = "imports.cancel";

  /**
   * API keys, served by the local keys/KeysVerticle (the one writer of api_keys): create {@code
   * {"body": {name, role, expires_at?}, "by"}} → 201 {@code {id, name, role, created_at,
   * expires_at, key}} (the only time the key is shown) | 400 | 409; revoke {@code {"id"}} → 204 |
   * 404; touch {@code {"ids": [...]}} records use (last_used_at, at most once a minute per key) →
   * {@code {"updated"}}
   */
  public static final String KEYS_CREATE = "keys.create";

  public static final String KEYS_REVOKE = "keys.revoke";
  public static final String KEYS_TOUCH = "keys.touch";

  /**
   * published cluster-wide by the keys verticle after a create or revoke: every gateway reloads its
   * active keys
   */
  public static final String KEYS_CHANGED = "events.keys.changed";

  /**
   * change a rule's settings: {@code {"rule", "body", "by"}} → 200 {@code {"before", "after"}} |
   * 400 | 404; served by the local detector (the one writer of rule_settings)
   */
  public static final String RULES_UPDATE = "rules.update";

  /** cluster-wide, internal: a rule's settings changed, every detector re-reads them */
  public static final String RULES_CHANGED = "rules.changed";

  /**
   * judge an alert's rule again on the user's current sessions: {@code {"alert_id"}} → 200 {@code
   * {"holds", "user_id", "alert_type", "session_ids", "active_session_ids"}}; the local detector
   */
  public static final String DETECT_REJUDGE = "detect.rejudge";

  /**
   * end a session as terminated: {@code {"id"}} → 200 {@code {"ended": true|false, "session"}}
   * ({@code ended} false: it had ended already, nothing changed) | 404; served by the registry
   */
  public static final String SESSIONS_TERMINATE = "sessions.terminate";

  /**
   * terminate a session through its door: {@code {"id", "reason"?, "trigger": manual|rule, "by"}} →
   * 202 {@code {"outcome", "detail", "session"}} | 404; served by the local enforcement verticle
   */
  public static final String ENFORCE_TERMINATE = "enforce.terminate";

  /**
   * record an audit entry (fire and forget): {@code {"actor", "action", "target", "result",
   * "status", "before"?, "after"?}}; the local enforcement verticle (the one writer of audit_log)
   */
  public static final String AUDIT_RECORD = "audit.record";

  /**
   * cluster-wide: tell the ingest socket carrying session {@code {"id", "reason"}} to stop; every
   * node's ingest channel looks, the one holding it sends {@code {"op": "terminate"}}
   */
  public static final String INGEST_TERMINATE = "ingest.terminate";

  /**
   * the media server's stop call for one of its sessions: {@code {"session_id", "reason"}} → {@code
   * {"ok", "detail"}}; the address is this prefix + the server id, consumed by the node whose
   * watcher holds the server's lease
   */
  public static final String MEDIA_TERMINATE_PREFIX = "media.terminate.";

  /**
   * per-user controls (issue 15), served by the local detector (the one writer of
   * user_rule_overrides, trusted_devices, user_trust): rules {@code {"user_id", "body", "by"}} →
   * 200 {@code body} = the rules, {@code before} = the previous ones | 400 | 404; trust {@code
   * {"user_id", "body": {device_key, label?}, "by"}} → 201 (200 when already trusted) the device |
   * 400 | 404; untrust {@code {"user_id", "device_key"}} → 204 ({@code before} = the device) | 404
   */
  public static final String USERS_RULES_PUT = "users.rules.put";

  public static final String USERS_DEVICES_TRUST = "users.devices.trust";
  public static final String USERS_DEVICES_UNTRUST = "users.devices.untrust";

  /**
   * run the trust recovery now {@code {"through": "YYYY-MM-DD"}} (default: yesterday, UTC) → {@code
   * {"users_recovered"}}; the daily job sends nothing, it runs the same code once per cluster
   */
  public static final String TRUST_RECOVER = "trust.recover";

  // events (published cluster-wide), each carrying the session / alert / daily-stat JSON
  public static final String SESSION_STARTED = "events.session.started";
  public static final String SESSION_UPDATED = "events.session.updated";
  public static final String SESSION_ENDED = "events.session.ended";
  public static final String ALERT_RAISED = "events.alert.raised";
  public static final String ALERT_UPDATED = "events.alert.updated";
  public static final String ALERT_DISMISSED = "events.alert.dismissed";
  public static final String STATS_UPDATED = "events.stats.updated";

  /**
   * a media server's status left {@code up} (unreachable, unauthorized): the server's JSON, without
   * token
   */
  public static final String MEDIA_SERVER_DOWN = "events.media_server.down";

  /** a media server answers again */
  public static final String MEDIA_SERVER_UP = "events.media_server.up";

  /**
   * a user's first session on a device never seen for them (the detector's DeviceLedger inserted
   * the row); the session JSON
   */
  public static final String DEVICE_NEW = "events.device.new";

  /** published by the enforcement concern: the terminated session JSON */
  public static final String SESSION_TERMINATED = "events.session.terminated";

  /**
   * a rule action ran or was skipped: {@code {"alert_id", "action"}} (the action as in the alert's
   * {@code actions})
   */
  public static final String ALERT_ACTION = "events.alert.action";

  /** an import's progress (at most once a second while it runs) and its end: the import's JSON */
  public static final String IMPORT_PROGRESS = "events.import.progress";

  /**
   * The dashboard frame type of an event address: {@code events.session.started} → {@code
   * session.started}.
   */
  public static String frameType(String eventAddress) {
    return eventAddress.substring("events.".length());
  }
}
