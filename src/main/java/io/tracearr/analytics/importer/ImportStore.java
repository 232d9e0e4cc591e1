package io.tracearr.analytics.importer;

import io.tracearr.analytics.api.KeysetCursor;
import io.tracearr.analytics.db.Rows;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Every query the imports table sees. The writes are package-private: the importer verticle is its
 * one writer; the gateway reads through {@link #find} and {@link #list}.
 */
public final class ImportStore {

  private static final String COLUMNS =
      """
      id, source, status, phase, file_name, file_bytes, node_id, server_id, timezone, rows_read, rows_imported,
      rows_skipped, skipped_by_reason, progress_unit, progress_done, progress_total, error, requested_by,
      created_at, started_at, progress_at, finished_at""";

  private static final String INSERT =
      """
      INSERT INTO imports (id, source, file_name, file_bytes, file_path, node_id, server_id, timezone, requested_by,
                           progress_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
      RETURNING %s"""
          .formatted(COLUMNS);

  /**
   * This node's oldest queued import, if no import runs anywhere. Two nodes claiming at once both
   * pass the NOT EXISTS; the unique index imports_one_running lets one commit and fails the other
   * (23505: not claimed).
   */
  private static final String CLAIM =
      """
      UPDATE imports SET status = 'running', phase = 'reading', started_at = now(), progress_at = now()
      WHERE id = (SELECT id FROM imports WHERE status = 'queued' AND node_id = $1 AND NOT cancel_requested
                  ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
        AND NOT EXISTS (SELECT 1 FROM imports WHERE status = 'running')
      RETURNING file_path, %s"""
          .formatted(COLUMNS);

  /** The running node's pulse, and whether someone asked to cancel. */
  private static final String PROGRESS =
      """
      UPDATE imports SET rows_read = $2, rows_skipped = $3, skipped_by_reason = $4, progress_unit = $5,
                         progress_done = $6, progress_total = $7, progress_at = now()
      WHERE id = $1
      RETURNING cancel_requested, %s"""
          .formatted(COLUMNS);

  private static final String PHASE =
      """
      UPDATE imports SET phase = $2, progress_at = now() WHERE id = $1 AND status = 'running'
      RETURNING %s"""
          .formatted(COLUMNS);

  private static final String FINISH =
      """
      UPDATE imports SET status = $2, phase = NULL, rows_read = $3, rows_skipped = $4, skipped_by_reason = $5,
                         rows_imported = $6, error = $7, finished_at = now(), progress_at = now()
      WHERE id = $1 AND status IN ('queued', 'running')
      RETURNING %s"""
          .formatted(COLUMNS);

  /**
   * Queued (on any node) is cancelled at once; a running read stops at its next row; a move-in
   * cannot stop.
   */
  private static final String CANCEL =
      """
      UPDATE imports SET cancel_requested = true,
        status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,
        finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END
      WHERE id = $1 AND (status = 'queued' OR (status = 'running' AND phase = 'reading'))
      RETURNING %s"""
          .formatted(COLUMNS);

  /** This node is alive: its queued and running imports are not stale. */
  private static final String TOUCH =
      """
      UPDATE imports SET progress_at = now() WHERE node_id = $1 AND status IN ('queued', 'running')""";

  /** Imports whose node went silent: its upload is gone with it. */
  private static final String FAIL_STALE =
      """
      UPDATE imports SET status = 'failed', phase = NULL, finished_at = now(),
        error = 'the node holding the upload stopped before the import finished: upload the file again'
      WHERE status IN ('queued', 'running') AND progress_at < now() - make_interval(secs => $1)
      RETURNING id""";

  /** Uploads of finished imports that this node still has on disk. */
  private static final String DONE_FILES =
      """
      SELECT id, file_path FROM imports
      WHERE node_id = $1 AND file_path IS NOT NULL AND status IN ('completed', 'failed', 'cancelled')""";

  private static final String FORGET_FILE = "UPDATE imports SET file_path = NULL WHERE id = $1";
  private static final String LIVE_FILES =
      """
      SELECT file_path FROM imports WHERE file_path IS NOT NULL AND status IN ('queued', 'running')""";

  private static final String FIND = "SELECT " + COLUMNS + " FROM imports WHERE id = $1";
  private static final String LIST_FIRST =
      "SELECT " + COLUMNS + " FROM imports ORDER BY created_at DESC, id DESC LIMIT $1";
  private static final String LIST_AFTER =
      "SELECT "
          + COLUMNS
          + " FROM imports WHERE (created_at, id) < ($2, $3) ORDER BY created_at DESC, id DESC LIMIT $1";

  private final Pool pool;

  public ImportStore(Pool pool) {
    this.pool = pool;
  }

  /** A claimed import and where its upload is. */
  record Claimed(JsonObject job, String filePath) {}

  /** A progress update's answer: the import as stored, and whether a cancel was asked for. */
  record Pulse(JsonObject job, boolean cancelRequested) {}

  Future<JsonObject> insert(
      UUID id,
      ImportSource source,
      String fileName,
      long fileBytes,
      String filePath,
      String nodeId,
      UUID serverId,
      String timezone,
      String requestedBy) {
    return pool.preparedQuery(INSERT)
        .execute(
            Tuple.from(
                java.util.Arrays.asList(
                    id,
                    source.wireName(),
                    fileName,
                    fileBytes,
                    filePath,
                    nodeId,
                    serverId,
                    timezone,
                    requestedBy)))
        .map(rows -> toJson(rows.iterator().next()));
  }

  Future<Optional<Claimed>> claim(String nodeId) {
    return pool.preparedQuery(CLAIM)
        .execute(Tuple.of(nodeId))
        .map(rows -> Rows.first(rows, r -> new Claimed(toJson(r), r.getString("file_path"))))
        .recover(
            err ->
                isUniqueViolation(err)
                    ? Future.succeededFuture(Optional.empty())
                    : Future.failedFuture(err));
  }

  Future<Pulse> progress(UUID id, ImportCounters.Snapshot s) {
    Tuple t =
        Tuple.from(
            java.util.Arrays.asList(
                id,
                s.rowsRead(),
                s.rowsSkipped(),
                s.skippedByReason(),
                s.unit(),
                s.done(),
                s.total()));
    return pool.preparedQuery(PROGRESS)
        .execute(t)
        .map(
            rows -> {
              Row r = rows.iterator().next();
              return new Pulse(toJson(r), r.getBoolean("cancel_requested"));
            });
  }

  Future<Optional<JsonObject>> phase(UUID id, String phase) {
    return pool.preparedQuery(PHASE).execute(Tuple.of(id, phase)).map(ImportStore::first);
  }

  Future<Optional<JsonObject>> finish(
      UUID id, String status, ImportCounters.Snapshot s, long imported, String error) {
    Tuple t =
        Tuple.from(
            java.util.Arrays.asList(
                id, status, s.rowsRead(), s.rowsSkipped(), s.skippedByReason(), imported, error));
    return pool.preparedQuery(FINISH).execute(t).map(ImportStore::first);
  }

  Future<Optional<JsonObject>> cancel(UUID id) {
    return pool.preparedQuery(CANCEL).execute(Tuple.of(id)).map(ImportStore::first);
  }

  Future<Void> touch(String nodeId) {
    return pool.preparedQuery(TOUCH).execute(Tuple.of(nodeId)).mapEmpty();
  }

  Future<List<UUID>> failStale(Duration silence) {
    return pool.preparedQuery(FAIL_STALE)
        .execute(Tuple.of((double) silence.toSeconds()))
        .map(rows -> Rows.all(rows, r -> r.getUUID("id")));
  }

  Future<List<Row>> doneFiles(String nodeId) {
    return pool.preparedQuery(DONE_FILES)
        .execute(Tuple.of(nodeId))
        .map(rows -> Rows.all(rows, r -> r));
  }

  Future<Void> forgetFile(UUID id) {
    return pool.preparedQuery(FORGET_FILE).execute(Tuple.of(id)).mapEmpty();
  }

  Future<List<String>> liveFiles() {
    return pool.query(LIVE_FILES)
        .execute()
        .map(rows -> Rows.all(rows, r -> r.getString("file_path")));
  }

  public Future<Optional<JsonObject>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id)).map(ImportStore::first);
  }

  /** Newest first; {@code before} is the last row of the previous page. */
  public Future<List<JsonObject>> list(int limit, KeysetCursor before) {
    var rows =
        before == null
            ? pool.preparedQuery(LIST_FIRST).execute(Tuple.of(limit))
            : pool.preparedQuery(LIST_AFTER)
                .execute(
                    Tuple.of(limit, before.at().atOffset(java.time.ZoneOffset.UTC), before.id()));
    return rows.map(r -> Rows.all(r, ImportStore::toJson));
  }

  private static Optional<JsonObject> first(RowSet<Row> rows) {
    return Rows.first(rows, ImportStore::toJson);
  }

  private static boolean isUniqueViolation(Throwable err) {
    return err instanceof io.vertx.pgclient.PgException pg && "23505".equals(pg.getSqlState());
  }

  /**
   * The API representation of an import, with its rate and, while it reads, an estimate of the time
   * left.
   */
  static JsonObject toJson(Row r) {
    OffsetDateTime started = r.getOffsetDateTime("started_at");
    OffsetDateTime finished = r.getOffsetDateTime("finished_at");
    OffsetDateTime now = finished != null ? finished : r.getOffsetDateTime("progress_at");
    long read = r.getLong("rows_read");
    long skipped = r.getLong("rows_skipped");
    long imported = r.getLong("rows_imported");
    String status = r.getString("status");
    Double rate = null;
    Long eta = null;
    double elapsed =
        started == null || now == null ? 0 : Duration.between(started, now).toMillis() / 1000.0;
    if (elapsed > 0) rate = Math.round(read / elapsed * 10) / 10.0;
    String unit = r.getString("progress_unit");
    Long done = r.getLong("progress_done");
    Long total = r.getLong("progress_total");
    JsonObject progress = null;
    if (unit != null && total != null && total > 0) {
      long d = done == null ? 0 : Math.min(done, total);
      progress =
          new JsonObject()
              .put("unit", unit)
              .put("done", d)
              .put("total", total)
              .put("fraction", Math.round(d * 1000.0 / total) / 1000.0);
      if ("running".equals(status)
          && "reading".equals(r.getString("phase"))
          && d > 0
          && elapsed > 0) {
        eta = Math.round(elapsed * (total - d) / d);
      }
    }
    Object reasons = r.getValue("skipped_by_reason");
    JsonObject json =
        new JsonObject()
            .put("id", r.getUUID("id").toString())
            .put("source", r.getString("source"))
            .put("status", status)
            .put("phase", r.getString("phase"))
            .put("file_name", r.getString("file_name"))
            .put("file_bytes", r.getLong("file_bytes"))
            .put(
                "server_id",
                r.getUUID("server_id") == null ? null : r.getUUID("server_id").toString())
            .put("timezone", r.getString("timezone"))
            .put("rows_read", read)
            .put("rows_imported", imported)
            .put("rows_skipped", skipped)
            .put("skipped_by_reason", reasons instanceof JsonObject j ? j : new JsonObject())
            .put("progress", progress)
            .put("rate_rows_per_second", rate)
            .put("eta_seconds", eta)
            .put("error", r.getString("error"))
            .put("requested_by", r.getString("requested_by"))
            .put("node_id", r.getString("node_id"))
            .put("created_at", iso(r.getOffsetDateTime("created_at")))
            .put("started_at", iso(started))
            .put("finished_at", iso(finished));
    // sessions the file holds that an earlier import (or this one's duplicates) had already brought
    // in
    if ("completed".equals(status))
      json.put("rows_already_present", Math.max(0, read - skipped - imported));
    return json;
  }

  private static String iso(OffsetDateTime t) {
    return t == null ? null : t.toInstant().toString();
  }
}
