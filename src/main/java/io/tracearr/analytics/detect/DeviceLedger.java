package io.tracearr.analytics.detect;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.Instant;
import java.util.UUID;

/**
 * The detector's record of which devices each user has used ({@code user_devices}, first/last seen per device
 * key), the memory the device-spike rule judges. The detector is its one writer: it records a device when it
 * is handed a started session, before judging it. A node that dies between a start's commit and this write
 * would lose the device; every sweep therefore records the devices of all open sessions again (idempotent:
 * first seen only moves back, last seen only forward).
 */
final class DeviceLedger {

  private static final String RECORD = """
      INSERT INTO user_devices (user_id, device_key, first_seen_at, last_seen_at)
      VALUES ($1, $2, $3, $3)
      ON CONFLICT (user_id, device_key) DO UPDATE
        SET first_seen_at = LEAST(user_devices.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at = GREATEST(user_devices.last_seen_at, EXCLUDED.last_seen_at)""";

  private static final String RECORD_OPEN_SESSIONS = """
      INSERT INTO user_devices (user_id, device_key, first_seen_at, last_seen_at)
      SELECT user_id, device_key, min(started_at), max(started_at)
      FROM playback_sessions WHERE ended_at IS NULL
      GROUP BY user_id, device_key
      ON CONFLICT (user_id, device_key) DO UPDATE
        SET first_seen_at = LEAST(user_devices.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at = GREATEST(user_devices.last_seen_at, EXCLUDED.last_seen_at)
        WHERE user_devices.first_seen_at > EXCLUDED.first_seen_at
           OR user_devices.last_seen_at < EXCLUDED.last_seen_at""";

  private final Pool pool;

  DeviceLedger(Pool pool) {
    this.pool = pool;
  }

  Future<Void> record(UUID userId, String deviceKey, Instant seenAt) {
    return pool.preparedQuery(RECORD)
        .execute(Tuple.of(userId, deviceKey, OffsetDateTime.ofInstant(seenAt, ZoneOffset.UTC)))
        .mapEmpty();
  }

  Future<Void> recordOpenSessions() {
    return pool.query(RECORD_OPEN_SESSIONS).execute().mapEmpty();
  }
}
