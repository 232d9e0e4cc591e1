package io.tracearr.analytics.session;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.db.LockedTransaction;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code sessions.import.*}: writes an import's sessions, users and content — the registry's tables
 * — inside ONE transaction held open for the whole import, so an import is all or nothing: a failed
 * or cancelled import is a ROLLBACK and leaves nothing behind (a node that dies mid-import takes
 * its connection, and PostgreSQL rolls back). {@code begin} opens it, each {@code rows} batch is
 * one multi-row INSERT pipelined on its connection, {@code end} commits or rolls back.
 *
 * <p>Idempotent: a session whose id exists is left alone (ids are derived from the source's own row
 * ids), so importing the same file again inserts nothing. Imported sessions are history: ended,
 * {@code ended_reason 'imported'}, never handed to the detector and not in user_devices (that is
 * the detector's ledger of live devices). The registry's start validation (the 7-day rule) is not
 * involved: the importer's readers checked the rows.
 *
 * <p>users and content are not written per batch: each batch's people and titles are merged in
 * memory (one entry per id, the latest session's fields win, as the live path does) and upserted
 * once at the end, set-wise. The maps are bounded ({@link #FLUSH_AT} ids each): a file with more
 * titles than that upserts them every time the map fills, which only differs in which of two
 * imported values a title keeps when the file is not in time order.
 */
final class HistoryImport {

  private static final Logger log = LoggerFactory.getLogger(HistoryImport.class);

  /**
   * THE session insert (one constant, so a change of playback_sessions' keys is made here once).
   * Bytes are estimated as live sessions count them: bandwidth × played time. created_at is now(),
   * the transaction's start: the importer hands the earliest start to the roll-up after the commit,
   * so a long import is never missed by the late-report path, and the transaction's start itself
   * (read by {@link #BEGIN}), so that later runs of that path can leave exactly these rows out.
   * Addresses go in as text and are cast in the database.
   */
  static final String INSERT_SESSIONS =
      """
      WITH v AS (
        SELECT * FROM unnest($2::uuid[], $3::uuid[], $4::text[], $5::uuid[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::text[], $11::text[], $12::bool[], $13::text[], $14::int[],
                             $15::timestamptz[], $16::timestamptz[], $17::float8[], $18::float8[])
          AS v(id, user_id, content_type, content_id, content_title, client_name, device_name, device_id, device_key,
               ip, transcoded, resolution, bandwidth_kbps, started_at, ended_at, duration_seconds, position_seconds)),
      -- session_ids guards the id across the partitioned table (its key is (id, started_at)): only ids it takes
      -- are inserted. A batch holds each id once (the importer's SessionSink): a copy in another batch, or
      -- already imported, is turned away here
      g AS (
        INSERT INTO session_ids (id, started_at)
        SELECT id, started_at FROM v
        ON CONFLICT (id) DO NOTHING
        RETURNING id, started_at),
      inserted AS (
        INSERT INTO playback_sessions (id, user_id, content_type, content_id, content_title, client_name, device_name,
          device_id, device_key, ip_address, transcoded, resolution, bandwidth_kbps, bytes_transferred, status,
          started_at, ended_at, last_heartbeat_at, duration_seconds, position_seconds, ended_reason, server_id)
        SELECT v.id, v.user_id, v.content_type, v.content_id, v.content_title, v.client_name,
          v.device_name, v.device_id, v.device_key, v.ip::inet, v.transcoded, v.resolution, v.bandwidth_kbps,
          (v.bandwidth_kbps::float8 * 125 * v.duration_seconds)::bigint, 'ended',
          v.started_at, v.ended_at, v.ended_at, v.duration_seconds, v.position_seconds, 'imported', $1::uuid
        FROM v JOIN g ON g.id = v.id AND g.started_at = v.started_at
        RETURNING started_at, ended_at)
      SELECT count(*) AS inserted, min(started_at) AS first_started_at, max(started_at) AS last_started_at,
             max(ended_at) AS last_ended_at
      FROM inserted""";

  /**
   * The imported months get their partitions before the import's transaction opens, in a statement
   * of its own: creating a partition locks playback_sessions exclusively, which must never wait on
   * (or be held for) an import's whole transaction. The importer reads the file's first and last
   * start before it begins; a row outside them (none should be) lands in the DEFAULT partition.
   */
  private static final String ENSURE_PARTITIONS = "SELECT session_partitions_ensure($1, $2)";

  /**
   * The name of a user's latest imported session wins over an older one; a missing name never
   * erases one.
   */
  private static final String UPSERT_USERS =
      """
      INSERT INTO users AS u (id, name, server_id, external_id, first_seen_at, last_seen_at)
      SELECT v.id, left(v.name, 200), $1::uuid, left(v.external_id, 200), v.first_seen_at, v.last_seen_at
      FROM unnest($2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[])
        AS v(id, name, external_id, first_seen_at, last_seen_at)
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
      SELECT v.id, v.content_type, v.title, v.series_title, v.season_number, v.episode_number, v.year,
             v.duration_seconds, $1::uuid, left(v.external_id, 200), now()
      FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::int[], $9::float8[],
                  $10::text[])
        AS v(id, content_type, title, series_title, season_number, episode_number, year, duration_seconds,
             external_id)
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

  /**
   * The import is one commit: not waiting for its WAL flush risks only that commit on a crash (then
   * the import is failed and run again; it is idempotent), never another transaction's. The same
   * statement reads the transaction's start, now(): the created_at of every session the import
   * writes, handed to the roll-up after the commit ({@code rows_created_at} of the end's reply), so
   * that once it has re-rolled the import's span the late-report path can leave exactly these rows
   * out.
   */
  private static final String BEGIN =
      "SELECT set_config('synchronous_commit', 'off', true), now() AS rows_created_at";

  /** ids per users/content map before it is upserted and emptied */
  static final int FLUSH_AT = 50_000;

  /** rows per users/content upsert statement */
  private static final int UPSERT_CHUNK = 5_000;

  /** an import the importer stopped talking to (a bug, a lost reply) is rolled back */
  static final long IDLE_MS = 10 * 60_000;

  private final Vertx vertx;
  private final Pool pool;
  private final LockedTransaction transaction;
  private final Map<UUID, Open> open = new HashMap<>();

  HistoryImport(Vertx vertx, Pool pool) {
    this.vertx = vertx;
    this.pool = pool;
    this.transaction = LockedTransaction.on(pool);
  }

  /** One import's open transaction, on the registry's event loop only. */
  private final class Open {
    final UUID importId;
    final UUID serverId;
    final Promise<JsonObject> done = Promise.promise();
    final Map<UUID, UserSeen> users = new HashMap<>();
    final Map<UUID, TitleSeen> titles = new HashMap<>();
    SqlConnection conn;
    Future<JsonObject> outcome;
    Throwable failure;
    long inserted;
    long usersUpserted;
    long contentUpserted;
    OffsetDateTime first;
    OffsetDateTime last;
    OffsetDateTime lastEnd;
    OffsetDateTime rowsCreatedAt;
    long idleTimer = -1;

    Open(UUID importId, UUID serverId) {
      this.importId = importId;
      this.serverId = serverId;
    }

    void touched() {
      if (idleTimer >= 0) vertx.cancelTimer(idleTimer);
      idleTimer =
          vertx.setTimer(
              IDLE_MS,
              t -> {
                log.warn("import {}: no word from the importer for 10 min, rolled back", importId);
                done.tryFail(new CancellationException("the importer went silent"));
              });
    }

    void failed(Throwable err) {
      if (failure == null) failure = err;
    }
  }

  /** {@code {"import_id", "server_id"}}: opens the import's transaction. */
  Future<JsonObject> begin(JsonObject cmd) {
    UUID importId = SessionInput.pathId("import_id", cmd.getString("import_id"));
    String server = cmd.getString("server_id");
    UUID serverId = server == null ? null : SessionInput.pathId("server_id", server);
    if (open.containsKey(importId))
      return Future.failedFuture(Problem.conflict("Import " + importId + " is already open"));
    java.time.LocalDate from = day(cmd, "from_day");
    java.time.LocalDate to = day(cmd, "to_day");
    Open o = new Open(importId, serverId);
    open.put(importId, o);
    Promise<Void> ready = Promise.promise();
    Future<?> partitions =
        from == null || to == null
            ? Future.succeededFuture()
            : pool.preparedQuery(ENSURE_PARTITIONS).execute(Tuple.of(from, to));
    o.outcome =
        partitions.compose(
            ensured ->
                transaction.run(
                    conn ->
                        conn.query(BEGIN)
                            .execute()
                            .compose(
                                began -> {
                                  o.rowsCreatedAt =
                                      began.iterator().next().getOffsetDateTime("rows_created_at");
                                  o.conn = conn;
                                  o.touched();
                                  ready.complete();
                                  return o.done.future();
                                })));
    o.outcome.onComplete(
        ar -> {
          if (o.idleTimer >= 0) vertx.cancelTimer(o.idleTimer);
          open.remove(importId);
          if (ar.failed()) ready.tryFail(ar.cause());
        });
    return ready.future().map(v -> CommandReply.body(200, new JsonObject()));
  }

  private static java.time.LocalDate day(JsonObject cmd, String field) {
    String v = cmd.getString(field);
    try {
      return v == null ? null : java.time.LocalDate.parse(v);
    } catch (java.time.format.DateTimeParseException e) {
      throw Problem.validation(field, "must be a date (YYYY-MM-DD)");
    }
  }

  /** One batch: its sessions inserted (pipelined behind the batches before it), its people kept. */
  Future<JsonObject> rows(HistoryBatch b) {
    Open o = open.get(b.importId);
    if (o == null || o.conn == null)
      return Future.failedFuture(Problem.conflict("Import " + b.importId + " is not open"));
    if (o.failure != null) return Future.failedFuture(o.failure);
    o.touched();
    int n = b.size();
    List<Object> v = new ArrayList<>(18);
    v.add(o.serverId);
    v.add(fit(b.id, n));
    v.add(fit(b.userId, n));
    v.add(fit(b.contentType, n));
    v.add(fit(b.contentId, n));
    v.add(fit(b.contentTitle, n));
    v.add(fit(b.clientName, n));
    v.add(fit(b.deviceName, n));
    v.add(fit(b.deviceId, n));
    v.add(fit(b.deviceKey, n));
    v.add(fit(b.ip, n));
    v.add(fit(b.transcoded, n));
    v.add(fit(b.resolution, n));
    v.add(fit(b.bandwidth, n));
    v.add(fit(b.startedAt, n));
    v.add(fit(b.endedAt, n));
    v.add(fit(b.duration, n));
    v.add(fit(b.position, n));
    Future<JsonObject> written =
        o.conn
            .preparedQuery(INSERT_SESSIONS)
            .execute(Tuple.from(v))
            .map(
                rows -> {
                  Row r = rows.iterator().next();
                  o.inserted += r.getLong("inserted");
                  o.first = earlier(o.first, r.getOffsetDateTime("first_started_at"));
                  o.last = later(o.last, r.getOffsetDateTime("last_started_at"));
                  o.lastEnd = later(o.lastEnd, r.getOffsetDateTime("last_ended_at"));
                  return CommandReply.body(200, new JsonObject());
                });
    for (int i = 0; i < n; i++) {
      UserSeen u = o.users.get(b.userId[i]);
      if (u == null) o.users.put(b.userId[i], UserSeen.of(b, i));
      else u.add(b, i);
      TitleSeen c = o.titles.get(b.contentId[i]);
      if (c == null) o.titles.put(b.contentId[i], TitleSeen.of(b, i));
      else c.add(b, i);
    }
    // the flushes queue behind this batch's insert on the same connection
    if (o.users.size() >= FLUSH_AT) flushUsers(o);
    if (o.titles.size() >= FLUSH_AT) flushTitles(o);
    return written.onFailure(o::failed);
  }

  /**
   * {@code {"import_id", "commit"}}: commit (users and content upserted first) → the counts, the
   * first and last imported start, the last end and {@code rows_created_at} (the sessions'
   * created_at: the transaction's start); or roll back → an empty body. Either way the transaction
   * is closed when this answers.
   */
  Future<JsonObject> end(JsonObject cmd) {
    UUID importId = SessionInput.pathId("import_id", cmd.getString("import_id"));
    Open o = open.get(importId);
    if (o == null) return Future.failedFuture(Problem.notFound("No open import " + importId));
    if (!cmd.getBoolean("commit", false) || o.conn == null) {
      o.done.tryFail(new CancellationException("rolled back"));
      return o.outcome.transform(
          ar -> Future.succeededFuture(CommandReply.body(200, new JsonObject())));
    }
    Future<Void> users = flushUsers(o);
    Future<Void> titles = flushTitles(o);
    Future.all(users, titles)
        .onComplete(
            ar -> {
              Throwable err = o.failure != null ? o.failure : ar.failed() ? ar.cause() : null;
              if (err != null) {
                o.done.tryFail(err);
              } else {
                o.done.tryComplete(
                    new JsonObject()
                        .put("sessions_inserted", o.inserted)
                        .put("users_upserted", o.usersUpserted)
                        .put("content_upserted", o.contentUpserted)
                        .put("first_started_at", iso(o.first))
                        .put("last_started_at", iso(o.last))
                        .put("last_ended_at", iso(o.lastEnd))
                        .put("rows_created_at", iso(o.rowsCreatedAt)));
              }
            });
    return o.outcome.map(body -> CommandReply.body(200, body));
  }

  /** Every open import rolled back (the registry stops). */
  void rollbackAll() {
    new ArrayList<>(open.values())
        .forEach(o -> o.done.tryFail(new CancellationException("the node stops")));
  }

  // ---- users and content, merged in memory
  // -----------------------------------------------------------------------

  private Future<Void> flushUsers(Open o) {
    List<UserSeen> all = new ArrayList<>(o.users.values());
    List<UUID> ids = new ArrayList<>(o.users.keySet());
    o.users.clear();
    List<Future<?>> writes = new ArrayList<>();
    for (int from = 0; from < all.size(); from += UPSERT_CHUNK) {
      int to = Math.min(all.size(), from + UPSERT_CHUNK);
      int n = to - from;
      UUID[] id = new UUID[n];
      String[] name = new String[n], ext = new String[n];
      OffsetDateTime[] firstSeen = new OffsetDateTime[n], lastSeen = new OffsetDateTime[n];
      for (int i = 0; i < n; i++) {
        UserSeen u = all.get(from + i);
        id[i] = ids.get(from + i);
        name[i] = u.name;
        ext[i] = u.externalId;
        firstSeen[i] = u.first;
        lastSeen[i] = u.last;
      }
      writes.add(
          o.conn
              .preparedQuery(UPSERT_USERS)
              .execute(Tuple.from(Arrays.asList(o.serverId, id, name, ext, firstSeen, lastSeen)))
              .onSuccess(r -> o.usersUpserted += r.rowCount())
              .onFailure(o::failed));
    }
    return Future.all(writes).mapEmpty();
  }

  private Future<Void> flushTitles(Open o) {
    List<TitleSeen> all = new ArrayList<>(o.titles.values());
    List<UUID> ids = new ArrayList<>(o.titles.keySet());
    o.titles.clear();
    List<Future<?>> writes = new ArrayList<>();
    for (int from = 0; from < all.size(); from += UPSERT_CHUNK) {
      int to = Math.min(all.size(), from + UPSERT_CHUNK);
      int n = to - from;
      UUID[] id = new UUID[n];
      String[] type = new String[n], title = new String[n], series = new String[n];
      String[] ext = new String[n];
      Integer[] season = new Integer[n], episode = new Integer[n], year = new Integer[n];
      Double[] length = new Double[n];
      for (int i = 0; i < n; i++) {
        TitleSeen c = all.get(from + i);
        id[i] = ids.get(from + i);
        type[i] = c.type.value;
        title[i] = c.title.value;
        series[i] = c.series.value;
        season[i] = c.season.value;
        episode[i] = c.episode.value;
        year[i] = c.year.value;
        length[i] = c.length.value;
        ext[i] = c.externalId;
      }
      writes.add(
          o.conn
              .preparedQuery(UPSERT_CONTENT)
              .execute(
                  Tuple.from(
                      Arrays.asList(
                          o.serverId, id, type, title, series, season, episode, year, length, ext)))
              .onSuccess(r -> o.contentUpserted += r.rowCount())
              .onFailure(o::failed));
    }
    return Future.all(writes).mapEmpty();
  }

  /** A user as the import has seen them so far: the latest name, the first and last start. */
  private static final class UserSeen {
    String name;
    OffsetDateTime nameAt;
    String externalId;
    OffsetDateTime first;
    OffsetDateTime last;

    static UserSeen of(HistoryBatch b, int i) {
      UserSeen u = new UserSeen();
      u.name = b.userName[i];
      u.nameAt = u.name == null ? null : b.startedAt[i];
      u.externalId = b.userExternalId[i];
      u.first = b.startedAt[i];
      u.last = b.startedAt[i];
      return u;
    }

    /** folds row {@code i} of {@code b} (one more session of this user) in */
    void add(HistoryBatch b, int i) {
      OffsetDateTime at = b.startedAt[i];
      if (b.userName[i] != null && (nameAt == null || !at.isBefore(nameAt))) {
        name = b.userName[i];
        nameAt = at;
      }
      if (b.userExternalId[i].compareTo(externalId) < 0) externalId = b.userExternalId[i];
      if (at.isBefore(first)) first = at;
      if (at.isAfter(last)) last = at;
    }
  }

  /** A value and the start of the session that reported it: the latest non-null one wins. */
  private static final class Latest<T> {
    T value;
    OffsetDateTime at;

    Latest(T value, OffsetDateTime at) {
      this.value = value;
      this.at = value == null ? null : at;
    }

    void offer(T next, OffsetDateTime nextAt) {
      if (next != null && (at == null || !nextAt.isBefore(at))) {
        value = next;
        at = nextAt;
      }
    }
  }

  /** A title as the import has seen it so far, each field from the latest session that had it. */
  private static final class TitleSeen {
    Latest<String> type, title, series;
    Latest<Integer> season, episode, year;
    Latest<Double> length;
    String externalId;

    static TitleSeen of(HistoryBatch b, int i) {
      OffsetDateTime at = b.startedAt[i];
      TitleSeen c = new TitleSeen();
      c.type = new Latest<>(b.contentType[i], at);
      c.title = new Latest<>(b.contentTitle[i], at);
      c.series = new Latest<>(b.seriesTitle[i], at);
      c.season = new Latest<>(b.season[i], at);
      c.episode = new Latest<>(b.episode[i], at);
      c.year = new Latest<>(b.year[i], at);
      c.length = new Latest<>(b.mediaDuration[i], at);
      c.externalId = b.contentExternalId[i];
      return c;
    }

    /** folds row {@code i} of {@code b} (one more session of this title) in */
    void add(HistoryBatch b, int i) {
      OffsetDateTime at = b.startedAt[i];
      type.offer(b.contentType[i], at);
      title.offer(b.contentTitle[i], at);
      series.offer(b.seriesTitle[i], at);
      season.offer(b.season[i], at);
      episode.offer(b.episode[i], at);
      year.offer(b.year[i], at);
      length.offer(b.mediaDuration[i], at);
      if (b.contentExternalId[i].compareTo(externalId) < 0) externalId = b.contentExternalId[i];
    }
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------------------

  private static <T> T[] fit(T[] column, int n) {
    return column.length == n ? column : Arrays.copyOf(column, n);
  }

  private static OffsetDateTime earlier(OffsetDateTime a, OffsetDateTime b) {
    return a == null ? b : b == null || a.isBefore(b) ? a : b;
  }

  private static OffsetDateTime later(OffsetDateTime a, OffsetDateTime b) {
    return a == null ? b : b == null || a.isAfter(b) ? a : b;
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
