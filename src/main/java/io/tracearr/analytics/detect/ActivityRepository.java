package io.tracearr.analytics.detect;

import io.tracearr.analytics.detect.rules.DeviceSeen;
import io.tracearr.analytics.detect.rules.SessionView;
import io.tracearr.analytics.geo.Location;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the sharing rules read: a user's recent sessions and devices, and who is watching right now.
 */
public final class ActivityRepository {

  /** Impossible travel compares sessions up to this long apart (one's end to the other's start). */
  static final Duration LOOKBACK = Duration.ofHours(24);

  /**
   * Ended sessions are read when they ended within the look-back and started within this: it keeps
   * the read on the user's history index instead of every session they ever had.
   */
  static final Duration START_LOOKBACK = Duration.ofHours(72);

  /** Bounds one judgement's work for an account with an absurd number of sessions. */
  static final int MAX_SESSIONS = 1000;

  static final int MAX_DEVICES = 10_000;

  /** The devices one person's page lists (most recently seen first). */
  static final int MAX_LISTED_DEVICES = 200;

  /**
   * Active sessions (concurrency, geo) plus located sessions that ended within the look-back
   * (travel).
   */
  private static final String SESSIONS =
      """
      SELECT s.id, s.user_id, s.device_key, host(s.ip_address) AS ip, s.status, s.started_at,
             s.geo_city, s.geo_country, s.geo_latitude, s.geo_longitude, s.geo_accuracy_km, s.device_name,
             u.name AS user_name, s.ended_at, s.last_heartbeat_at
      FROM playback_sessions s LEFT JOIN users u ON u.id = s.user_id
      WHERE s.user_id = $1 AND (s.ended_at IS NULL OR (s.geo_latitude IS NOT NULL AND s.ended_at >= $2 AND s.started_at >= $3))
      ORDER BY s.started_at DESC, s.id DESC
      LIMIT $4""";

  /**
   * A device's name is the one its latest session reported (the history index finds it per user).
   */
  private static final String NEW_DEVICES =
      """
      SELECT d.device_key, d.first_seen_at, u.name AS user_name,
             (SELECT s.device_name FROM playback_sessions s WHERE s.user_id = d.user_id AND s.device_key = d.device_key
              ORDER BY s.started_at DESC LIMIT 1) AS device_name
      FROM user_devices d LEFT JOIN users u ON u.id = d.user_id
      WHERE d.user_id = $1 AND d.first_seen_at > $2
      ORDER BY d.first_seen_at DESC
      LIMIT $3""";

  /**
   * Every device of one user (GET /users/{id}), most recently seen first, named by its latest
   * session.
   */
  private static final String DEVICES =
      """
      SELECT d.device_key, d.first_seen_at, d.last_seen_at, l.device_name, l.client_name
      FROM (SELECT * FROM user_devices WHERE user_id = $1 ORDER BY last_seen_at DESC, device_key LIMIT $2) d
      LEFT JOIN LATERAL (
        SELECT s.device_name, s.client_name FROM playback_sessions s
        WHERE s.user_id = d.user_id AND s.device_key = d.device_key
        ORDER BY s.started_at DESC LIMIT 1) l ON true
      ORDER BY d.last_seen_at DESC, d.device_key""";

  private static final String WATCHING =
      "SELECT DISTINCT user_id FROM playback_sessions WHERE ended_at IS NULL";

  /** One user's activity as of {@code now}; {@code devices} is empty unless asked for. */
  public record UserActivity(List<SessionView> sessions, List<DeviceSeen> devices) {}

  private final Pool pool;

  public ActivityRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<UserActivity> load(
      UUID userId, Instant now, boolean withSessions, Duration deviceWindow) {
    Future<List<SessionView>> sessions =
        withSessions ? sessions(userId, now) : Future.succeededFuture(List.of());
    Future<List<DeviceSeen>> devices =
        deviceWindow != null
            ? newDevices(userId, now.minus(deviceWindow))
            : Future.succeededFuture(List.of());
    return Future.all(sessions, devices)
        .map(v -> new UserActivity(sessions.result(), devices.result()));
  }

  public Future<List<UUID>> usersWatching() {
    return pool.query(WATCHING)
        .execute()
        .map(
            rows -> {
              List<UUID> users = new ArrayList<>(rows.rowCount());
              for (Row r : rows) users.add(r.getUUID(0));
              return users;
            });
  }

  private Future<List<SessionView>> sessions(UUID userId, Instant now) {
    Tuple t =
        Tuple.of(
            userId,
            now.minus(LOOKBACK).atOffset(ZoneOffset.UTC),
            now.minus(START_LOOKBACK).atOffset(ZoneOffset.UTC),
            MAX_SESSIONS);
    return pool.preparedQuery(SESSIONS)
        .execute(t)
        .map(
            rows -> {
              List<SessionView> out = new ArrayList<>(rows.rowCount());
              for (Row r : rows) out.add(view(r));
              return out;
            });
  }

  private Future<List<DeviceSeen>> newDevices(UUID userId, Instant since) {
    Tuple t = Tuple.of(userId, since.atOffset(ZoneOffset.UTC), MAX_DEVICES);
    return pool.preparedQuery(NEW_DEVICES)
        .execute(t)
        .map(
            rows -> {
              List<DeviceSeen> out = new ArrayList<>(rows.rowCount());
              for (Row r : rows) {
                out.add(
                    new DeviceSeen(
                        r.getString("device_key"),
                        r.getOffsetDateTime("first_seen_at").toInstant(),
                        r.getString("device_name"),
                        r.getString("user_name")));
              }
              return out;
            });
  }

  /** The detector's device ledger of one user, read-only, as JSON for the people API. */
  public Future<io.vertx.core.json.JsonArray> devices(UUID userId) {
    return pool.preparedQuery(DEVICES)
        .execute(Tuple.of(userId, MAX_LISTED_DEVICES))
        .map(
            rows -> {
              io.vertx.core.json.JsonArray out = new io.vertx.core.json.JsonArray();
              for (Row r : rows) {
                out.add(
                    new io.vertx.core.json.JsonObject()
                        .put("device_key", r.getString("device_key"))
                        .put("device_name", r.getString("device_name"))
                        .put("client_name", r.getString("client_name"))
                        .put(
                            "first_seen_at",
                            r.getOffsetDateTime("first_seen_at").toInstant().toString())
                        .put(
                            "last_seen_at",
                            r.getOffsetDateTime("last_seen_at").toInstant().toString()));
              }
              return out;
            });
  }

  private static SessionView view(Row r) {
    Double lat = r.getDouble("geo_latitude");
    Double lon = r.getDouble("geo_longitude");
    Location location = null;
    if (lat != null && lon != null) {
      Integer accuracy = r.getInteger("geo_accuracy_km");
      location =
          new Location(
              r.getString("geo_city"),
              r.getString("geo_country"),
              lat,
              lon,
              accuracy == null ? 0 : Math.max(0, accuracy));
    }
    return new SessionView(
        r.getUUID("id"),
        r.getUUID("user_id"),
        r.getString("device_key"),
        r.getString("ip"),
        r.getString("status"),
        r.getOffsetDateTime("started_at").toInstant(),
        location,
        r.getString("device_name"),
        r.getString("user_name"),
        instant(r, "ended_at"),
        instant(r, "last_heartbeat_at"));
  }

  private static Instant instant(Row r, String column) {
    var t = r.getOffsetDateTime(column);
    return t == null ? null : t.toInstant();
  }
}
