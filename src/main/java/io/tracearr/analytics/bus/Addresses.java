package io.tracearr.analytics.bus;

/**
 * Every event-bus address in one place. Commands are served by local consumers on the node that took
 * the request (no cross-node hop on the hot path); events are facts published cluster-wide so that every
 * node's gateway can push them to its own dashboards.
 */
public final class Addresses {

  private Addresses() {}

  // commands (local consumers), payloads documented in docs/architecture.md
  public static final String SESSIONS_START = "sessions.start";
  public static final String SESSIONS_HEARTBEAT = "sessions.heartbeat";
  public static final String SESSIONS_END = "sessions.end";
  /**
   * move a staged import into the sessions: {@code {"import_id"}} → {@code {"status": 200, "body": {"sessions_inserted",
   * "users_upserted", "content_upserted", "first_started_at", "last_started_at"}}}; served by the registry (the one
   * writer of playback_sessions, users and content) in one transaction, sent by the importer
   */
  public static final String SESSIONS_IMPORT = "sessions.import";
  /** registry → its local detector: one session event to judge, exactly once in the cluster */
  public static final String DETECT_SESSION = "detect.session";
  /**
   * dismiss an alert: {@code {"id", "by", "reason"}} → {@code {"status": 200, "body": alert}} or a 404 problem;
   * the detector (the one writer of sharing_alerts) writes it and publishes {@code events.alert.dismissed} once
   */
  public static final String ALERTS_DISMISS = "alerts.dismiss";
  /** run DetectSharing now (POST /sharing/detect) */
  public static final String DETECT_SWEEP = "detect.sweep";
  /** query (local): today's DailyStat JSON — for dashboard snapshots */
  public static final String STATS_TODAY_QUERY = "stats.query.today";
  /** run the roll-up now; replies with today's DailyStat JSON */
  public static final String STATS_ROLLUP = "stats.rollup";
  /** run retention now; replies {@code {sessions_deleted, alerts_deleted, sessions_kept_from}} */
  public static final String STATS_RETENTION = "stats.retention";

  /**
   * queue an uploaded file for import: {@code {"source", "file_path", "file_name", "file_bytes", "server_id"?,
   * "timezone"?, "requested_by"}} → {@code {"status": 202, "body": import}} or a 400 problem; sent by the gateway
   * that received the upload to its own importer (the file is on this node's disk)
   */
  public static final String IMPORTS_START = "imports.start";
  /** cancel an import: {@code {"id"}} → {@code {"status": 200, "body": import}}, a 404 or a 409 problem */
  public static final String IMPORTS_CANCEL = "imports.cancel";

  // events (published cluster-wide), each carrying the session / alert / daily-stat JSON
  public static final String SESSION_STARTED = "events.session.started";
  public static final String SESSION_UPDATED = "events.session.updated";
  public static final String SESSION_ENDED = "events.session.ended";
  public static final String ALERT_RAISED = "events.alert.raised";
  public static final String ALERT_UPDATED = "events.alert.updated";
  public static final String ALERT_DISMISSED = "events.alert.dismissed";
  public static final String STATS_UPDATED = "events.stats.updated";
  /** an import's progress (at most once a second while it runs) and its end: the import's JSON */
  public static final String IMPORT_PROGRESS = "events.import.progress";

  /** The dashboard frame type of an event address: {@code events.session.started} → {@code session.started}. */
  public static String frameType(String eventAddress) {
    return eventAddress.substring("events.".length());
  }
}
