package io.tracearr.analytics.session;

import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.db.LockedTransaction;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * {@code sessions.import}: moves an import's staged rows (import_staging, written by the importer)
 * into playback_sessions, users and content — the registry's tables — in one transaction, so an
 * import is all or nothing. Idempotent: a session whose id exists is left alone (ids are derived
 * from the source's own row ids), so importing the same file again inserts nothing. Imported
 * sessions are history: ended, {@code ended_reason 'imported'}, never handed to the detector and
 * not in user_devices (that is the detector's ledger of live devices). The registry's start
 * validation (the 7-day rule) is not involved: the importer's readers checked the rows.
 */
final class HistoryImport {

  /**
   * Bytes are estimated as live sessions count them: bandwidth × played time. created_at is now():
   * the roll-up finds the imported days through its late-report path (started long before created).
   */
  private static final String INSERT_SESSIONS =
      """
      WITH g AS (
        INSERT INTO session_ids (id, started_at)
        SELECT id, started_at FROM import_staging WHERE import_id = $1
        ON CONFLICT (id) DO NOTHING
        RETURNING id, started_at),
      inserted AS (
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status,
          started_at, ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason, server_id)
        -- one row per id, the one session_ids took: a file may hold a session twice (its second copy used to meet
        -- ON CONFLICT (id), which the partitioned table's (id, started_at) key cannot say any more)
        SELECT DISTINCT ON (s.id) s.id, s.user_id, s.content_type, s.content_id, s.content_title, s.client_name,
          s.device_name, s.device_id, s.device_key, s.ip_address, s.transcoded, s.resolution, s.bandwidth_kbps,
          (s.bandwidth_kbps::float8 * 125 * s.duration_seconds)::bigint, 'ended',
          s.started_at, s.ended_at, s.ended_at, s.duration_seconds, s.position_seconds, 'imported', s.server_id
        FROM import_staging s JOIN g ON g.id = s.id AND g.started_at = s.started_at
        WHERE s.import_id = $1
        RETURNING started_at)
      SELECT count(*) AS inserted, min(started_at) AS first_started_at, max(started_at) AS last_started_at
      FROM inserted""";

  /**
   * The name of a user's latest imported session wins over an older one; a missing name never
   * erases one.
   */
  private static final String UPSERT_USERS =
      """
      INSERT INTO users AS u (id, name, server_id, external_id, first_seen_at, last_seen_at)
      SELECT user_id,
             left((array_agg(user_name ORDER BY started_at DESC) FILTER (WHERE user_name IS NOT NULL))[1], 200),
             (array_agg(server_id))[1], left(min(user_external_id), 200), min(started_at), max(started_at)
      FROM import_staging WHERE import_id = $1
      GROUP BY user_id
      ON CONFLICT (id) DO UPDATE SET
        name = CASE WHEN EXCLUDED.name IS NOT NULL AND (u.name IS NULL OR EXCLUDED.last_seen_at >= u.last_seen_at)
                    THEN EXCLUDED.name ELSE u.name END,
        server_id = COALESCE(u.server_id, EXCLUDED.server_id),
        external_id = COALESCE(u.external_id, EXCLUDED.external_id),
        first_seen_at = LEAST(u.first_seen_at, EXCLUDED.first_seen_at),
        last_seen_at = GREATEST(u.last_seen_at, EXCLUDED.last_seen_at)""";

  /**
   * Each field from the latest session that has it; a field the import lacks keeps what is stored.
   */
  private static final String UPSERT_CONTENT =
      """
      INSERT INTO content AS c (id, content_type, title, series_title, season_number, episode_number, year,
                                duration_seconds, server_id, external_id, updated_at)
      SELECT content_id,
             (array_agg(content_type ORDER BY started_at DESC))[1],
             (array_agg(content_title ORDER BY started_at DESC) FILTER (WHERE content_title IS NOT NULL))[1],
             (array_agg(series_title ORDER BY started_at DESC) FILTER (WHERE series_title IS NOT NULL))[1],
             (array_agg(season_number ORDER BY started_at DESC) FILTER (WHERE season_number IS NOT NULL))[1],
             (array_agg(episode_number ORDER BY started_at DESC) FILTER (WHERE episode_number IS NOT NULL))[1],
             (array_agg(year ORDER BY started_at DESC) FILTER (WHERE year IS NOT NULL))[1],
             (array_agg(media_duration_seconds ORDER BY started_at DESC)
                FILTER (WHERE media_duration_seconds IS NOT NULL))[1],
             (array_agg(server_id))[1], left(min(content_external_id), 200), now()
      FROM import_staging WHERE import_id = $1
      GROUP BY content_id
      ON CONFLICT (id) DO UPDATE SET
        content_type = EXCLUDED.content_type,
        title = COALESCE(EXCLUDED.title, c.title),
        series_title = COALESCE(EXCLUDED.series_title, c.series_title),
        season_number = COALESCE(EXCLUDED.season_number, c.season_number),
        episode_number = COALESCE(EXCLUDED.episode_number, c.episode_number),
        year = COALESCE(EXCLUDED.year, c.year),
        duration_seconds = COALESCE(EXCLUDED.duration_seconds, c.duration_seconds),
        server_id = COALESCE(c.server_id, EXCLUDED.server_id),
        external_id = COALESCE(c.external_id, EXCLUDED.external_id),
        updated_at = now()""";

  /** the sort of a million staged rows by user and title stays in memory */
  private static final String WORK_MEM = "SET LOCAL work_mem = '128MB'";

  /**
   * The imported months get their partitions before the import's transaction, in a statement of
   * their own: creating a partition locks playback_sessions, which must not last as long as the
   * import (rows of a month that cannot get one land in the DEFAULT partition).
   */
  private static final String ENSURE_PARTITIONS =
      """
      SELECT session_partitions_ensure((min(started_at) AT TIME ZONE 'UTC')::date,
                                       (max(started_at) AT TIME ZONE 'UTC')::date)
      FROM import_staging WHERE import_id = $1 HAVING count(*) > 0""";

  private final Pool pool;
  private final LockedTransaction transaction;

  HistoryImport(Pool pool) {
    this.pool = pool;
    this.transaction = LockedTransaction.on(pool);
  }

  /** {@code {"import_id"}} → the command reply with the counts. */
  Future<JsonObject> run(JsonObject cmd) {
    UUID importId = SessionInput.pathId("import_id", cmd.getString("import_id"));
    return pool.preparedQuery(ENSURE_PARTITIONS)
        .execute(Tuple.of(importId))
        .compose(ensured -> moveIn(cmd));
  }

  /** The move-in transaction, once the imported months have their partitions. */
  private Future<JsonObject> moveIn(JsonObject cmd) {
    UUID importId = SessionInput.pathId("import_id", cmd.getString("import_id"));
    Tuple id = Tuple.of(importId);
    return transaction
        .run(
            conn ->
                conn.query(WORK_MEM)
                    .execute()
                    .compose(v -> conn.preparedQuery(INSERT_SESSIONS).execute(id))
                    .compose(
                        sessions ->
                            conn.preparedQuery(UPSERT_USERS)
                                .execute(id)
                                .compose(
                                    users ->
                                        conn.preparedQuery(UPSERT_CONTENT)
                                            .execute(id)
                                            .map(
                                                content -> {
                                                  Row r = sessions.iterator().next();
                                                  return new JsonObject()
                                                      .put(
                                                          "sessions_inserted",
                                                          r.getLong("inserted"))
                                                      .put("users_upserted", users.rowCount())
                                                      .put("content_upserted", content.rowCount())
                                                      .put(
                                                          "first_started_at",
                                                          iso(
                                                              r.getOffsetDateTime(
                                                                  "first_started_at")))
                                                      .put(
                                                          "last_started_at",
                                                          iso(
                                                              r.getOffsetDateTime(
                                                                  "last_started_at")));
                                                }))))
        .map(body -> CommandReply.body(200, body));
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
