package io.tracearr.analytics.session;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** Every query {@code playback_sessions} sees (and the device table the start touches). */
public final class SessionRepository {

  /** The columns of {@code playback_sessions} a session's JSON is made of (alias {@code s}). */
  static final String SESSION_COLUMNS =
      """
      s.id, s.user_id, s.content_type, s.content_id, s.content_title, s.client_name, s.device_name, s.device_id,
      s.device_key, host(s.ip_address) AS ip, s.transcoded, s.resolution, s.bandwidth_kbps, s.bytes_transferred, s.status,
      s.started_at, s.ended_at, s.last_heartbeat_at, s.duration_seconds, s.position_seconds, s.ended_reason,
      s.geo_city, s.geo_country, s.geo_latitude, s.geo_longitude, s.geo_accuracy_km, s.server_id""";

  /**
   * The person's and the item's names (users {@code u}, content {@code c}), after {@link
   * #SESSION_COLUMNS}.
   */
  static final String NAME_COLUMNS =
      """
      u.name, c.title, c.series_title, c.season_number, c.episode_number, c.year, c.duration_seconds""";

  /**
   * A session's JSON: its row, its user's name and its item's titles (the users and content of
   * issue 13).
   */
  static final String COLUMNS = SESSION_COLUMNS + ",\n" + NAME_COLUMNS;

  /**
   * Sessions with their names; direct clients that never sent one, and pre-V5 rows, join nothing.
   */
  static final String NAMED =
      """
      playback_sessions s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN content c ON c.id = s.content_id""";

  /**
   * Insert-or-nothing by id (safe client retries, even with another started_at: the id's uniqueness
   * is session_ids', since the partitioned table's key is (id, started_at)), and the user and item
   * it names upserted in the same statement: a start stays one round-trip and one commit. Only an
   * inserted session touches users/content (a retried start changes nothing). The latest non-null
   * value wins; a null never erases a known one. An upsert that would change nothing is skipped (no
   * dead tuple per start for a known item); the names are then the rows as they were ({@code ou},
   * {@code oc}: a statement's CTEs do not see each other's writes, so the answer takes a written
   * row's RETURNING when there is one, the snapshot otherwise).
   */
  private static final String INSERT =
      """
      WITH g AS (
        INSERT INTO session_ids (id, started_at) VALUES ($1, $14) ON CONFLICT (id) DO NOTHING RETURNING id),
      ins AS (
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, status, started_at, last_heartbeat_at,
          geo_city, geo_country, geo_latitude, geo_longitude, geo_accuracy_km, server_id)
        SELECT g.id, $2::uuid, $3::text, $4::uuid, $5::text, $6::text, $7::text, $8::text, $9::text, $10::text::inet,
          $11::bool, $12::text, $13::int, 'playing', $14::timestamptz, $14::timestamptz, $15::text, $16::text,
          $17::float8, $18::float8, $19::int, $20::uuid
        FROM g
        RETURNING *),
      uw AS (
        INSERT INTO users AS x (id, name, server_id, first_seen_at, last_seen_at)
        SELECT user_id, $21::text, server_id, started_at, started_at FROM ins
        -- nothing new to say (same name and server, seen within the last minute): no upsert, so no row lock that
        -- every concurrent start of this user would queue behind until commit (bench/run scenario 2)
        WHERE NOT EXISTS (SELECT 1 FROM users k WHERE k.id = ins.user_id
          AND ($21::text IS NULL OR k.name IS NOT DISTINCT FROM $21::text)
          AND (ins.server_id IS NULL OR k.server_id IS NOT DISTINCT FROM ins.server_id)
          AND k.first_seen_at <= ins.started_at AND k.last_seen_at >= ins.started_at - interval '1 minute')
        ON CONFLICT (id) DO UPDATE SET
          name = COALESCE(EXCLUDED.name, x.name),
          server_id = COALESCE(EXCLUDED.server_id, x.server_id),
          first_seen_at = LEAST(x.first_seen_at, EXCLUDED.first_seen_at),
          last_seen_at = GREATEST(x.last_seen_at, EXCLUDED.last_seen_at)
        WHERE EXCLUDED.last_seen_at > x.last_seen_at OR EXCLUDED.first_seen_at < x.first_seen_at
           OR (EXCLUDED.name IS NOT NULL AND EXCLUDED.name IS DISTINCT FROM x.name)
           OR (EXCLUDED.server_id IS NOT NULL AND EXCLUDED.server_id IS DISTINCT FROM x.server_id)
        RETURNING true AS hit, name),
      cw AS (
        INSERT INTO content AS x (id, content_type, title, series_title, season_number, episode_number, year,
          duration_seconds, server_id)
        SELECT content_id, content_type, content_title, $22::text, $23::int, $24::int, $25::int, $26::float8, server_id
        FROM ins
        -- the title as stored already says all this start says: no upsert, no row lock (many starts of one title)
        WHERE NOT EXISTS (SELECT 1 FROM content k WHERE k.id = ins.content_id AND k.content_type = ins.content_type
          AND (ins.content_title IS NULL OR k.title IS NOT DISTINCT FROM ins.content_title)
          AND ($22::text IS NULL OR k.series_title IS NOT DISTINCT FROM $22::text)
          AND ($23::int IS NULL OR k.season_number IS NOT DISTINCT FROM $23::int)
          AND ($24::int IS NULL OR k.episode_number IS NOT DISTINCT FROM $24::int)
          AND ($25::int IS NULL OR k.year IS NOT DISTINCT FROM $25::int)
          AND ($26::float8 IS NULL OR k.duration_seconds IS NOT DISTINCT FROM $26::float8)
          AND (ins.server_id IS NULL OR k.server_id IS NOT DISTINCT FROM ins.server_id))
        ON CONFLICT (id) DO UPDATE SET
          content_type = EXCLUDED.content_type,
          title = COALESCE(EXCLUDED.title, x.title),
          series_title = COALESCE(EXCLUDED.series_title, x.series_title),
          season_number = COALESCE(EXCLUDED.season_number, x.season_number),
          episode_number = COALESCE(EXCLUDED.episode_number, x.episode_number),
          year = COALESCE(EXCLUDED.year, x.year),
          duration_seconds = COALESCE(EXCLUDED.duration_seconds, x.duration_seconds),
          server_id = COALESCE(EXCLUDED.server_id, x.server_id),
          updated_at = now()
        WHERE EXCLUDED.content_type IS DISTINCT FROM x.content_type
           OR (EXCLUDED.title IS NOT NULL AND EXCLUDED.title IS DISTINCT FROM x.title)
           OR (EXCLUDED.series_title IS NOT NULL AND EXCLUDED.series_title IS DISTINCT FROM x.series_title)
           OR (EXCLUDED.season_number IS NOT NULL AND EXCLUDED.season_number IS DISTINCT FROM x.season_number)
           OR (EXCLUDED.episode_number IS NOT NULL AND EXCLUDED.episode_number IS DISTINCT FROM x.episode_number)
           OR (EXCLUDED.year IS NOT NULL AND EXCLUDED.year IS DISTINCT FROM x.year)
           OR (EXCLUDED.duration_seconds IS NOT NULL AND EXCLUDED.duration_seconds IS DISTINCT FROM x.duration_seconds)
           OR (EXCLUDED.server_id IS NOT NULL AND EXCLUDED.server_id IS DISTINCT FROM x.server_id)
        RETURNING true AS hit, title, series_title, season_number, episode_number, year, duration_seconds)
      SELECT %s,
        CASE WHEN uw.hit THEN uw.name ELSE ou.name END,
        CASE WHEN cw.hit THEN cw.title ELSE oc.title END,
        CASE WHEN cw.hit THEN cw.series_title ELSE oc.series_title END,
        CASE WHEN cw.hit THEN cw.season_number ELSE oc.season_number END,
        CASE WHEN cw.hit THEN cw.episode_number ELSE oc.episode_number END,
        CASE WHEN cw.hit THEN cw.year ELSE oc.year END,
        CASE WHEN cw.hit THEN cw.duration_seconds ELSE oc.duration_seconds END
      FROM ins s
        LEFT JOIN uw ON true LEFT JOIN users ou ON ou.id = s.user_id
        LEFT JOIN cw ON true LEFT JOIN content oc ON oc.id = s.content_id"""
          .formatted(SESSION_COLUMNS);

  /** the guard table's started_at prunes every partition but one (at run time) */
  private static final String BY_ID =
      "s.id = $1 AND s.started_at = (SELECT g.started_at FROM session_ids g WHERE g.id = $1)";

  private static final String FIND = "SELECT " + COLUMNS + " FROM " + NAMED + " WHERE " + BY_ID;

  /**
   * Ends an open session. Played time since the last heartbeat counts when it was playing; a late
   * {@code ended_at} may not precede the start (checked by the caller on a miss).
   */
  private static final String END =
      """
      WITH e AS (
      UPDATE playback_sessions s SET
        status = 'ended',
        ended_reason = $3,
        ended_at = e.end_at,
        duration_seconds = s.duration_seconds
          + CASE WHEN s.status = 'playing' THEN GREATEST(0, EXTRACT(EPOCH FROM (e.end_at - s.last_heartbeat_at))) ELSE 0 END,
        bytes_transferred = s.bytes_transferred
          + CASE WHEN s.status = 'playing'
              THEN (s.bandwidth_kbps::float8 * 125 * GREATEST(0, EXTRACT(EPOCH FROM (e.end_at - s.last_heartbeat_at))))::bigint
              ELSE 0 END
      FROM (SELECT COALESCE($2::timestamptz, now()) AS end_at) e
      WHERE s.id = $1 AND s.started_at = (SELECT g.started_at FROM session_ids g WHERE g.id = $1)
        AND s.ended_at IS NULL AND e.end_at >= s.started_at
      RETURNING s.*)
      SELECT %s FROM e s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN content c ON c.id = s.content_id"""
          .formatted(COLUMNS);

  /**
   * One statement per batch of coalesced heartbeats. The stretch from the stored heartbeat to the
   * first coalesced one is judged by the stored status; the stretches between coalesced heartbeats
   * were added up in memory ({@code v_extra_played}, {@code v_extra_bytes}). It returns the session
   * columns only: the registry adds the names it remembers of each open session ({@link
   * OpenSession}), so a heartbeat batch joins nothing.
   */
  private static final String FLUSH =
      """
      UPDATE playback_sessions s SET
        duration_seconds = s.duration_seconds
          + CASE WHEN s.status = 'playing' THEN GREATEST(0, EXTRACT(EPOCH FROM (v_first_at - s.last_heartbeat_at))) ELSE 0 END
          + v_extra_played,
        bytes_transferred = COALESCE(v_bytes, s.bytes_transferred
          + CASE WHEN s.status = 'playing'
              THEN (s.bandwidth_kbps::float8 * 125 * GREATEST(0, EXTRACT(EPOCH FROM (v_first_at - s.last_heartbeat_at))))::bigint
              ELSE 0 END
          + v_extra_bytes),
        status = COALESCE(v_status, s.status),
        position_seconds = COALESCE(v_position, s.position_seconds),
        bandwidth_kbps = COALESCE(v_bandwidth, s.bandwidth_kbps),
        transcoded = COALESCE(v_transcoded, s.transcoded),
        resolution = COALESCE(v_resolution, s.resolution),
        ip_address = COALESCE(v_ip::inet, s.ip_address),
        geo_city = CASE WHEN v_ip IS NULL THEN s.geo_city ELSE v_geo_city END,
        geo_country = CASE WHEN v_ip IS NULL THEN s.geo_country ELSE v_geo_country END,
        geo_latitude = CASE WHEN v_ip IS NULL THEN s.geo_latitude ELSE v_geo_latitude END,
        geo_longitude = CASE WHEN v_ip IS NULL THEN s.geo_longitude ELSE v_geo_longitude END,
        geo_accuracy_km = CASE WHEN v_ip IS NULL THEN s.geo_accuracy_km ELSE v_geo_accuracy_km END,
        last_heartbeat_at = GREATEST(s.last_heartbeat_at, v_last_at)
      FROM unnest($1::uuid[], $2::timestamptz[], $3::timestamptz[], $4::float8[], $5::bigint[], $6::bigint[],
                  $7::text[], $8::float8[], $9::int[], $10::bool[], $11::text[], $12::text[],
                  $13::text[], $14::text[], $15::float8[], $16::float8[], $17::int[])
        AS v(v_id, v_first_at, v_last_at, v_extra_played, v_extra_bytes, v_bytes, v_status, v_position, v_bandwidth,
             v_transcoded, v_resolution, v_ip, v_geo_city, v_geo_country, v_geo_latitude, v_geo_longitude, v_geo_accuracy_km)
        JOIN session_ids g ON g.id = v_id
      WHERE s.id = v_id AND s.started_at = g.started_at AND s.ended_at IS NULL
      RETURNING %s"""
          .formatted(SESSION_COLUMNS);

  /** The UPDATE decides: a session is reaped once however many nodes sweep. */
  private static final String REAP =
      """
      WITH r AS (
        UPDATE playback_sessions SET status = 'timed_out', ended_reason = 'timeout', ended_at = last_heartbeat_at
        WHERE ended_at IS NULL
          AND last_heartbeat_at < now() - make_interval(secs => $1)
          AND created_at < now() - make_interval(secs => $1)
        RETURNING *)
      SELECT %s FROM r s LEFT JOIN users u ON u.id = s.user_id LEFT JOIN content c ON c.id = s.content_id"""
          .formatted(COLUMNS);

  private static final String ACTIVE =
      "SELECT "
          + COLUMNS
          + " FROM "
          + NAMED
          + " WHERE s.ended_at IS NULL ORDER BY s.started_at DESC, s.id DESC LIMIT $1";
  private static final String ACTIVE_FOR_USER =
      "SELECT "
          + COLUMNS
          + " FROM "
          + NAMED
          + " WHERE s.ended_at IS NULL AND s.user_id = $1 ORDER BY s.started_at DESC, s.id DESC";
  private static final String HISTORY_FIRST =
      "SELECT "
          + COLUMNS
          + " FROM "
          + NAMED
          + " WHERE s.user_id = $1 ORDER BY s.started_at DESC, s.id DESC LIMIT $2";
  private static final String HISTORY_AFTER =
      "SELECT "
          + COLUMNS
          + " FROM "
          + NAMED
          + " WHERE s.user_id = $1 AND (s.started_at, s.id) < ($3, $4) ORDER BY s.started_at DESC, s.id DESC LIMIT $2";
  private static final String COUNT_ACTIVE =
      "SELECT count(*) FROM playback_sessions WHERE ended_at IS NULL";

  /** The most open sessions one "active" answer carries. */
  public static final int ACTIVE_LIMIT = 100_000;

  private final Pool pool;
  private final Pool flushPool;
  private final ServerNames servers;

  public SessionRepository(Pool pool) {
    this(pool, pool);
  }

  /** {@code flushPool} carries the heartbeat batches, {@code pool} everything else. */
  public SessionRepository(Pool pool, Pool flushPool) {
    this.pool = pool;
    this.flushPool = flushPool;
    this.servers = ServerNames.of(pool);
  }

  /** Empty when a session with this id already exists (the caller compares it). */
  Future<Optional<JsonObject>> insert(SessionInput.Start s, Geo geo) {
    return pool.preparedQuery(INSERT).execute(insertTuple(s, geo)).map(this::first);
  }

  /**
   * Several starts in one transaction: the same statement once per start, sent as one batch between
   * {@code BEGIN} and {@code COMMIT}, so they share one commit (one WAL flush when fsync is on)
   * instead of one each. All or nothing: a failure rolls every one of them back, and the caller
   * splits the batch to find the start at fault. One answer per start, in order.
   */
  Future<List<Optional<JsonObject>>> insertAll(List<Tuple> starts) {
    if (starts.size() == 1) {
      return pool.preparedQuery(INSERT).execute(starts.get(0)).map(rs -> List.of(first(rs)));
    }
    // one round trip: the client sends every start's Bind/Execute and one Sync, and PostgreSQL runs
    // the statements before a Sync as one implicit transaction (committed at the Sync, rolled back
    // whole on an error), so no BEGIN/COMMIT round trips (StartGroupCommitTest's poisoned batch
    // would answer 200 instead of 201 for the starts before the poison if it were not atomic)
    return pool.preparedQuery(INSERT)
        .executeBatch(starts)
        .map(
            rs -> {
              List<Optional<JsonObject>> out = new java.util.ArrayList<>(starts.size());
              for (RowSet<Row> r = rs; r != null; r = r.next()) out.add(first(r));
              return out;
            });
  }

  /** The parameters of {@link #INSERT} for one start. */
  static Tuple insertTuple(SessionInput.Start s, Geo geo) {
    Tuple t =
        Tuple.tuple()
            .addUUID(s.id())
            .addUUID(s.userId())
            .addString(s.contentType())
            .addUUID(s.contentId())
            .addString(s.contentTitle())
            .addString(s.clientName())
            .addString(s.deviceName())
            .addString(s.deviceId())
            .addString(s.deviceKey())
            .addString(s.ipAddress())
            .addBoolean(s.transcoded())
            .addString(s.resolution())
            .addInteger(s.bandwidthKbps())
            .addOffsetDateTime(utc(s.startedAt()))
            .addString(geo == null ? null : geo.city())
            .addString(geo == null ? null : geo.country())
            .addDouble(geo == null ? null : geo.latitude())
            .addDouble(geo == null ? null : geo.longitude())
            .addInteger(geo == null ? null : geo.accuracyKm());
    SessionInput.Names n = s.names();
    t.addUUID(n.serverId())
        .addString(n.userName())
        .addString(n.seriesTitle())
        .addInteger(n.seasonNumber())
        .addInteger(n.episodeNumber())
        .addInteger(n.year())
        .addDouble(n.durationSeconds());
    return t;
  }

  public Future<Optional<JsonObject>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(this::first);
  }

  /** Empty when the session is not open (missing, already ended) or ended_at precedes its start. */
  Future<Optional<JsonObject>> end(UUID id, Instant endedAt, String reason) {
    return pool.preparedQuery(END)
        .execute(Tuple.of(id, endedAt == null ? null : utc(endedAt), reason))
        .map(this::first);
  }

  /**
   * The flushed sessions as rows: the registry turns into JSON only those whose {@code
   * session.updated} event is due (at most one per session per second), not every row of every
   * batch.
   */
  Future<List<Row>> flush(List<PendingHeartbeat> batch) {
    int n = batch.size();
    UUID[] ids = new UUID[n];
    OffsetDateTime[] firstAt = new OffsetDateTime[n];
    OffsetDateTime[] lastAt = new OffsetDateTime[n];
    Double[] extraPlayed = new Double[n];
    Long[] extraBytes = new Long[n];
    Long[] bytes = new Long[n];
    String[] status = new String[n];
    Double[] position = new Double[n];
    Integer[] bandwidth = new Integer[n];
    Boolean[] transcoded = new Boolean[n];
    String[] resolution = new String[n];
    String[] ip = new String[n];
    String[] city = new String[n];
    String[] country = new String[n];
    Double[] lat = new Double[n];
    Double[] lon = new Double[n];
    Integer[] acc = new Integer[n];
    for (int i = 0; i < n; i++) {
      PendingHeartbeat p = batch.get(i);
      ids[i] = p.sessionId;
      firstAt[i] = utc(p.firstAt);
      lastAt[i] = utc(p.lastAt);
      extraPlayed[i] = p.extraPlayedSeconds;
      extraBytes[i] = p.extraBytes;
      bytes[i] = p.bytesTransferred;
      status[i] = p.status;
      position[i] = p.positionSeconds;
      bandwidth[i] = p.bandwidthKbps;
      transcoded[i] = p.transcoded;
      resolution[i] = p.resolution;
      ip[i] = p.ipAddress;
      if (p.ipAddress != null && p.geo != null) {
        city[i] = p.geo.city();
        country[i] = p.geo.country();
        lat[i] = p.geo.latitude();
        lon[i] = p.geo.longitude();
        acc[i] = p.geo.accuracyKm();
      }
    }
    Tuple t =
        Tuple.of(
                ids,
                firstAt,
                lastAt,
                extraPlayed,
                extraBytes,
                bytes,
                status,
                position,
                bandwidth,
                transcoded,
                resolution,
                ip)
            .addArrayOfString(city)
            .addArrayOfString(country)
            .addArrayOfDouble(lat)
            .addArrayOfDouble(lon)
            .addArrayOfInteger(acc);
    return flushPool.preparedQuery(FLUSH).execute(t).map(rows -> Rows.all(rows, r -> r));
  }

  Future<List<JsonObject>> reap(int timeoutSeconds) {
    return pool.preparedQuery(REAP).execute(Tuple.of(timeoutSeconds)).map(this::all);
  }

  /**
   * The open sessions (of one user, or all up to {@link #ACTIVE_LIMIT}) as one encoded JSON array,
   * each row written as it is decoded: no row set and no list of 50 000 JsonObjects held at once
   * (dashboard snapshots and {@code GET /sessions/active}; bench/run scenario 7).
   */
  public Future<Buffer> activeJson(UUID userId) {
    return activeJson(userId, Buffer.buffer(64 * 1024));
  }

  /**
   * Like {@link #activeJson(UUID)}, appended to {@code into} (the caller's frame being built: the
   * 50 000-session snapshot is then written once instead of being copied into its frame).
   */
  public Future<Buffer> activeJson(UUID userId, Buffer into) {
    // the client may ask the collector for its container more than once (and finish more than
    // once): the array is opened and closed once on the caller's buffer whatever it does
    boolean[] openedClosed = new boolean[2];
    java.util.stream.Collector<Row, Buffer, Buffer> encode =
        java.util.stream.Collector.of(
            () -> {
              if (!openedClosed[0]) into.appendByte((byte) '[');
              openedClosed[0] = true;
              return into;
            },
            (out, row) -> {
              if (out.getByte(out.length() - 1) != '[') out.appendByte((byte) ',');
              out.appendBuffer(toJson(row).toBuffer());
            },
            (a, b) -> {
              throw new UnsupportedOperationException("sequential only");
            },
            out -> {
              if (!openedClosed[1]) out.appendByte((byte) ']');
              openedClosed[1] = true;
              return out;
            });
    var query =
        userId != null
            ? pool.preparedQuery(ACTIVE_FOR_USER).collecting(encode).execute(Tuple.of(userId))
            : pool.preparedQuery(ACTIVE).collecting(encode).execute(Tuple.of(ACTIVE_LIMIT));
    return query.map(result -> result.value());
  }

  public Future<Long> countActive() {
    return pool.query(COUNT_ACTIVE).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * A page of a user's history, newest first; {@code before} is the last row of the previous page.
   */
  public Future<List<JsonObject>> history(UUID userId, int limit, KeysetCursor before) {
    if (before == null)
      return pool.preparedQuery(HISTORY_FIRST).execute(Tuple.of(userId, limit)).map(this::all);
    return pool.preparedQuery(HISTORY_AFTER)
        .execute(Tuple.of(userId, limit, utc(before.at()), before.id()))
        .map(this::all);
  }

  /** Geo columns of a start or an IP change; null fields when the address is not located. */
  public record Geo(
      String city, String country, Double latitude, Double longitude, Integer accuracyKm) {}

  static OffsetDateTime utc(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }

  private Optional<JsonObject> first(RowSet<Row> rows) {
    return Rows.first(rows, this::toJson);
  }

  private List<JsonObject> all(RowSet<Row> rows) {
    return Rows.all(rows, this::toJson);
  }

  // positions in COLUMNS: rows are read by position, because a lookup by name hashes the column
  // names of
  // every result set and was a visible share of the heartbeat flush's CPU (docs/benchmarks.md)
  static final int ID = 0,
      USER_ID = 1,
      CONTENT_TYPE = 2,
      CONTENT_ID = 3,
      CONTENT_TITLE = 4,
      CLIENT_NAME = 5,
      DEVICE_NAME = 6,
      DEVICE_ID = 7,
      DEVICE_KEY = 8,
      IP = 9,
      TRANSCODED = 10,
      RESOLUTION = 11,
      BANDWIDTH = 12,
      BYTES = 13,
      STATUS = 14,
      STARTED_AT = 15,
      ENDED_AT = 16,
      LAST_HEARTBEAT_AT = 17,
      DURATION = 18,
      POSITION = 19,
      ENDED_REASON = 20,
      GEO_CITY = 21,
      GEO_COUNTRY = 22,
      GEO_LATITUDE = 23,
      GEO_LONGITUDE = 24,
      GEO_ACCURACY = 25,
      SERVER_ID = 26,
      USER_NAME = 27,
      TITLE = 28,
      SERIES_TITLE = 29,
      SEASON = 30,
      EPISODE = 31,
      YEAR = 32,
      MEDIA_DURATION = 33;

  /**
   * The API representation of a session row: selected with {@link #COLUMNS}, or with {@link
   * #SESSION_COLUMNS} alone (the heartbeat flush), whose names are then null until the caller sets
   * them.
   */
  public JsonObject toJson(Row r) {
    boolean named = r.size() > USER_NAME;
    return toJson(r, named ? r.getString(USER_NAME) : null, named ? content(r) : emptyContent());
  }

  /**
   * A flushed row ({@link #SESSION_COLUMNS}) with the names the registry remembers: its {@code
   * session.updated} event, built in one go (filling in empty names and then replacing them with a
   * copy was a third of the event's cost, issue 18). {@code content} is shared, never changed.
   */
  JsonObject toJson(Row r, String userName, JsonObject content) {
    UUID serverId = r.getUUID(SERVER_ID);
    JsonObject location = null;
    Double lat = r.getDouble(GEO_LATITUDE);
    if (lat != null) {
      location =
          new JsonObject()
              .put("city", r.getString(GEO_CITY))
              .put("country", r.getString(GEO_COUNTRY))
              .put("latitude", lat)
              .put("longitude", r.getDouble(GEO_LONGITUDE))
              .put("accuracy_km", r.getInteger(GEO_ACCURACY));
    }
    return new JsonObject()
        .put("id", r.getUUID(ID).toString())
        .put("user_id", r.getUUID(USER_ID).toString())
        .put("content_type", r.getString(CONTENT_TYPE))
        .put("content_id", r.getUUID(CONTENT_ID).toString())
        .put("content_title", r.getString(CONTENT_TITLE))
        .put("started_at", iso(r.getOffsetDateTime(STARTED_AT)))
        .put("ended_at", iso(r.getOffsetDateTime(ENDED_AT)))
        .put("duration_seconds", Math.round(r.getDouble(DURATION) * 1000) / 1000.0)
        .put("position_seconds", r.getDouble(POSITION))
        .put("client_name", r.getString(CLIENT_NAME))
        .put("device_name", r.getString(DEVICE_NAME))
        .put("device_id", r.getString(DEVICE_ID))
        .put("device_key", r.getString(DEVICE_KEY))
        .put("ip_address", r.getString(IP))
        .put("transcoded", r.getBoolean(TRANSCODED))
        .put("resolution", r.getString(RESOLUTION))
        .put("bandwidth_kbps", r.getInteger(BANDWIDTH))
        .put("bytes_transferred", r.getLong(BYTES))
        .put("status", r.getString(STATUS))
        .put("last_heartbeat_at", iso(r.getOffsetDateTime(LAST_HEARTBEAT_AT)))
        .put("location", location)
        .put("ended_reason", r.getString(ENDED_REASON))
        .put("user_name", userName)
        .put("server_id", serverId == null ? null : serverId.toString())
        .put("server_name", servers.name(serverId))
        .put("content", content);
  }

  private static JsonObject content(Row r) {
    Double duration = r.getDouble(MEDIA_DURATION);
    return new JsonObject()
        .put("title", r.getString(TITLE))
        .put("series_title", r.getString(SERIES_TITLE))
        .put("season_number", r.getInteger(SEASON))
        .put("episode_number", r.getInteger(EPISODE))
        .put("year", r.getInteger(YEAR))
        .put("duration_seconds", duration);
  }

  static JsonObject emptyContent() {
    return new JsonObject()
        .put("title", null)
        .put("series_title", null)
        .put("season_number", null)
        .put("episode_number", null)
        .put("year", null)
        .put("duration_seconds", null);
  }

  static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
