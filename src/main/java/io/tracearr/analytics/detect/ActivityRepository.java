package io.tracearr.analytics.detect;

import io.tracearr.analytics.geo.Location;
import io.tracearr.analytics.detect.rules.DeviceSeen;
import io.tracearr.analytics.detect.rules.SessionView;
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

/** What the sharing rules read: a user's recent sessions and devices, and who is watching right now. */
public final class ActivityRepository {

  /** Impossible travel compares sessions started up to this long apart. */
  static final Duration LOOKBACK = Duration.ofHours(24);
  /** Bounds one judgement's work for an account with an absurd number of sessions. */
  static final int MAX_SESSIONS = 1000;
  static final int MAX_DEVICES = 10_000;

  /**
   * Active sessions (concurrency, geo) plus located sessions started within the look-back (travel),
   * whether or not they have ended.
   */
  private static final String SESSIONS = """
      SELECT id, user_id, device_key, host(ip_address) AS ip, status, started_at,
             geo_city, geo_country, geo_latitude, geo_longitude, geo_accuracy_km
      FROM playback_sessions
      WHERE user_id = $1 AND (ended_at IS NULL OR (geo_latitude IS NOT NULL AND started_at >= $2))
      ORDER BY started_at DESC, id DESC
      LIMIT $3""";

  private static final String NEW_DEVICES = """
      SELECT device_key, first_seen_at FROM user_devices
      WHERE user_id = $1 AND first_seen_at > $2
      ORDER BY first_seen_at DESC
      LIMIT $3""";

  private static final String WATCHING = "SELECT DISTINCT user_id FROM playback_sessions WHERE ended_at IS NULL";

  /** One user's activity as of {@code now}; {@code devices} is empty unless asked for. */
  public record UserActivity(List<SessionView> sessions, List<DeviceSeen> devices) {}

  private final Pool pool;

  public ActivityRepository(Pool pool) {
    this.pool = pool;
  }

  public Future<UserActivity> load(UUID userId, Instant now, boolean withSessions, Duration deviceWindow) {
    Future<List<SessionView>> sessions = withSessions ? sessions(userId, now) : Future.succeededFuture(List.of());
    Future<List<DeviceSeen>> devices = deviceWindow != null ? newDevices(userId, now.minus(deviceWindow))
        : Future.succeededFuture(List.of());
    return Future.all(sessions, devices).map(v -> new UserActivity(sessions.result(), devices.result()));
  }

  public Future<List<UUID>> usersWatching() {
    return pool.query(WATCHING).execute().map(rows -> {
      List<UUID> users = new ArrayList<>(rows.rowCount());
      for (Row r : rows) users.add(r.getUUID(0));
      return users;
    });
  }

  private Future<List<SessionView>> sessions(UUID userId, Instant now) {
    Tuple t = Tuple.of(userId, now.minus(LOOKBACK).atOffset(ZoneOffset.UTC), MAX_SESSIONS);
    return pool.preparedQuery(SESSIONS).execute(t).map(rows -> {
      List<SessionView> out = new ArrayList<>(rows.rowCount());
      for (Row r : rows) out.add(view(r));
      return out;
    });
  }

  private Future<List<DeviceSeen>> newDevices(UUID userId, Instant since) {
    Tuple t = Tuple.of(userId, since.atOffset(ZoneOffset.UTC), MAX_DEVICES);
    return pool.preparedQuery(NEW_DEVICES).execute(t).map(rows -> {
      List<DeviceSeen> out = new ArrayList<>(rows.rowCount());
      for (Row r : rows) out.add(new DeviceSeen(r.getString("device_key"), r.getOffsetDateTime("first_seen_at").toInstant()));
      return out;
    });
  }

  private static SessionView view(Row r) {
    Double lat = r.getDouble("geo_latitude");
    Double lon = r.getDouble("geo_longitude");
    Location location = null;
    if (lat != null && lon != null) {
      Integer accuracy = r.getInteger("geo_accuracy_km");
      location = new Location(r.getString("geo_city"), r.getString("geo_country"), lat, lon,
          accuracy == null ? 0 : Math.max(0, accuracy));
    }
    return new SessionView(r.getUUID("id"), r.getUUID("user_id"), r.getString("device_key"), r.getString("ip"),
        r.getString("status"), r.getOffsetDateTime("started_at").toInstant(), location);
  }
}
