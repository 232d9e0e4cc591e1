package io.tracearr.analytics.detect;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The detector's record of which devices each user has used ({@code user_devices}, first/last seen
 * per device key), the memory the device-spike rule judges. The detector is its one writer: it
 * records a device when it is handed a started session, before judging it (sightings that arrive
 * together share one statement). A node that dies between a start's commit and this write would
 * lose the device; every sweep therefore records the devices of all open sessions again
 * (idempotent: first seen only moves back, last seen only forward).
 */
final class DeviceLedger {

  private static final Logger log = LoggerFactory.getLogger(DeviceLedger.class);

  /**
   * sightings waiting for the batch in flight; past this a sighting is not recorded now (the sweep
   * repairs it)
   */
  static final int MAX_WAITING = 10_000;

  /** One statement for every sighting that arrived while the previous one was being written. */
  private static final String RECORD =
      """
      INSERT INTO user_devices (user_id, device_key, first_seen_at, last_seen_at)
      SELECT * FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::timestamptz[])
      ON CONFLICT (user_id, device_key) DO UPDATE
        SET first_seen_at = LEAST(user_devices.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at = GREATEST(user_devices.last_seen_at, EXCLUDED.last_seen_at)
      RETURNING user_id, device_key, (xmax = 0) AS inserted""";

  private static final String RECORD_OPEN_SESSIONS =
      """
      INSERT INTO user_devices (user_id, device_key, first_seen_at, last_seen_at)
      SELECT user_id, device_key, min(started_at), max(started_at)
      FROM playback_sessions WHERE ended_at IS NULL
      GROUP BY user_id, device_key
      ON CONFLICT (user_id, device_key) DO UPDATE
        SET first_seen_at = LEAST(user_devices.first_seen_at, EXCLUDED.first_seen_at),
            last_seen_at = GREATEST(user_devices.last_seen_at, EXCLUDED.last_seen_at)
        WHERE user_devices.first_seen_at > EXCLUDED.first_seen_at
           OR user_devices.last_seen_at < EXCLUDED.last_seen_at""";

  private record Key(UUID user, String deviceKey) {}

  private static final class Seen {
    Instant first;
    Instant last;
    final List<Promise<Boolean>> waiters = new ArrayList<>();
  }

  private final Pool pool;

  /**
   * at most one batch in flight; sightings arriving meanwhile wait here, one entry per (user,
   * device)
   */
  private Map<Key, Seen> waiting = new LinkedHashMap<>();

  private boolean writing;

  DeviceLedger(Pool pool) {
    this.pool = pool;
  }

  /**
   * Records one sighting; completes, once it is written, with true when it inserted the row (the
   * user's first session on this device: {@code events.device.new}). Sightings that arrive while a
   * batch is being written share the next statement (a burst of starts costs a few round trips, not
   * one each), and an idle ledger writes at once. Of several sightings of one new device in one
   * batch, the first is the new one.
   */
  Future<Boolean> record(UUID userId, String deviceKey, Instant seenAt) {
    if (waiting.size() >= MAX_WAITING) {
      return Future.failedFuture(
          new IllegalStateException(
              "too many device sightings waiting; the next sweep records them"));
    }
    Key key = new Key(userId, deviceKey);
    Seen seen = waiting.computeIfAbsent(key, k -> new Seen());
    if (seen.first == null || seenAt.isBefore(seen.first)) seen.first = seenAt;
    if (seen.last == null || seenAt.isAfter(seen.last)) seen.last = seenAt;
    Promise<Boolean> written = Promise.promise();
    seen.waiters.add(written);
    if (!writing) writeNext();
    return written.future();
  }

  private void writeNext() {
    if (waiting.isEmpty()) {
      writing = false;
      return;
    }
    writing = true;
    Map<Key, Seen> batch = waiting;
    waiting = new LinkedHashMap<>();
    int n = batch.size();
    UUID[] users = new UUID[n];
    String[] keys = new String[n];
    OffsetDateTime[] first = new OffsetDateTime[n];
    OffsetDateTime[] last = new OffsetDateTime[n];
    int i = 0;
    for (var e : batch.entrySet()) {
      users[i] = e.getKey().user();
      keys[i] = e.getKey().deviceKey();
      first[i] = OffsetDateTime.ofInstant(e.getValue().first, ZoneOffset.UTC);
      last[i] = OffsetDateTime.ofInstant(e.getValue().last, ZoneOffset.UTC);
      i++;
    }
    pool.preparedQuery(RECORD)
        .execute(Tuple.of(users, keys, first, last))
        .onComplete(
            ar -> {
              if (ar.failed()) {
                log.debug("recording {} device sighting(s) failed: {}", n, ar.cause().toString());
                batch.values().forEach(seen -> seen.waiters.forEach(p -> p.fail(ar.cause())));
              } else {
                java.util.Set<Key> inserted = new java.util.HashSet<>();
                for (Row r : ar.result()) {
                  if (Boolean.TRUE.equals(r.getBoolean("inserted")))
                    inserted.add(new Key(r.getUUID("user_id"), r.getString("device_key")));
                }
                batch.forEach(
                    (key, seen) -> {
                      boolean isNew = inserted.contains(key);
                      for (Promise<Boolean> p : seen.waiters) {
                        p.complete(isNew);
                        isNew = false;
                      }
                    });
              }
              writeNext();
            });
  }

  Future<Void> recordOpenSessions() {
    return pool.query(RECORD_OPEN_SESSIONS).execute().mapEmpty();
  }
}
