package io.tracearr.analytics.importer;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.node.NodeContext;
import io.tracearr.analytics.session.HistoryBatch;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * History imports (issue 16) on one node: the one writer of imports. An upload waits on the disk of
 * the node that received it, so each node runs only its own uploads; one import runs at a time in
 * the whole cluster (a claim that the unique index imports_one_running arbitrates), the others wait
 * queued.
 *
 * <p>A run: the session registry opens the import's transaction ({@code sessions.import.begin});
 * the source's reader on a thread of its own streams rows to it in batches ({@code
 * sessions.import.rows}, a few in flight, so reading overlaps the inserts); then the registry
 * upserts users and content and commits ({@code sessions.import.end}); then the roll-ups of the
 * touched days are rebuilt ({@code stats.rollup} from the earliest imported start). A failed or
 * cancelled run ends with {@code sessions.import.end} without commit: a ROLLBACK, nothing stays.
 * The upload is deleted whatever the outcome. Progress goes to the imports row and to dashboards
 * ({@code events.import.progress}) at most once a second.
 */
public final class ImportVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(ImportVerticle.class);

  /**
   * A queued or running import whose node has not touched it for this long lost its node (and its
   * upload).
   */
  static final Duration STALE_AFTER = Duration.ofMinutes(2);

  private static final long PROGRESS_INTERVAL_MS = 1_000;
  private static final long HOUSEKEEPING_INTERVAL_MS = 2_000;

  /** uploads on disk that no import refers to, older than this, are leftovers of a stopped node */
  private static final Duration LEFTOVER_UPLOAD_AGE = Duration.ofHours(1);

  /** the end upserts every user and title of the import and commits: give it time */
  private static final DeliveryOptions END =
      new DeliveryOptions().setSendTimeout(Duration.ofHours(1).toMillis());

  private static final DeliveryOptions BEGIN =
      new DeliveryOptions().setSendTimeout(Duration.ofMinutes(2).toMillis());

  /** a batch's answer waits behind the batches in flight before it */
  private static final DeliveryOptions ROWS =
      HistoryBatch.options(Duration.ofMinutes(5).toMillis());

  private static final DeliveryOptions ROLLUP =
      new DeliveryOptions().setSendTimeout(Duration.ofHours(1).toMillis());

  private final NodeContext node;
  private final Path uploads;
  private ImportStore store;
  private WorkerExecutor readers;
  private Running running;
  private boolean housekeeping;

  public ImportVerticle(NodeContext node) {
    this.node = node;
    this.uploads = uploadsDir(node.config());
  }

  /**
   * Where uploads are streamed to (the gateway's body handler writes there, this verticle reads and
   * deletes).
   */
  public static Path uploadsDir(AppConfig cfg) {
    return cfg.dataDir().resolve("imports").toAbsolutePath();
  }

  /** One import being read on this node. */
  private static final class Running {
    final UUID id;
    final ImportCounters counters = new ImportCounters();
    SessionSink sink;

    /** the registry holds this import's transaction open: it must be ended, commit or not */
    boolean open;

    long pulseTimer = -1;
    boolean pulsing;
    volatile boolean cancelled;

    Running(UUID id) {
      this.id = id;
    }
  }

  @Override
  public Future<?> start() {
    store = new ImportStore(node.pool());
    // one reader at a time per node (one import per cluster), on a thread of its own: a read of a
    // million rows
    // takes minutes, far beyond the blocked-thread warning of the shared worker pool
    readers = vertx.createSharedWorkerExecutor("history-import", 1, 24, TimeUnit.HOURS);
    return vertx
        .executeBlocking(() -> Files.createDirectories(uploads))
        .compose(v -> deleteLeftoverUploads())
        .compose(
            v ->
                Future.all(
                    vertx
                        .eventBus()
                        .<JsonObject>localConsumer(
                            Addresses.IMPORTS_START, msg -> serve(msg, this::queue))
                        .completion(),
                    vertx
                        .eventBus()
                        .<JsonObject>localConsumer(
                            Addresses.IMPORTS_CANCEL, msg -> serve(msg, this::cancel))
                        .completion()))
        .onSuccess(v -> vertx.setPeriodic(HOUSEKEEPING_INTERVAL_MS, id -> housekeeping()));
  }

  @Override
  public Future<?> stop() {
    if (running != null && running.sink != null) running.sink.cancel();
    return readers == null ? Future.succeededFuture() : readers.close();
  }

  private void serve(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> command) {
    CommandReply.serve(msg, command, DatabaseErrors::toProblem, null);
  }

  // ---- commands
  // ----------------------------------------------------------------------------------------------

  /**
   * {@code imports.start}: the upload is on this node's disk; the import is queued and, when free,
   * claimed.
   */
  private Future<JsonObject> queue(JsonObject cmd) {
    Path file = Path.of(cmd.getString("file_path", "")).toAbsolutePath().normalize();
    ImportRequest request;
    try {
      if (!file.startsWith(uploads))
        throw Problem.validation("file", "is not an upload of this node");
      request =
          ImportRequest.parse(
              cmd.getString("source"), cmd.getString("server_id"), cmd.getString("timezone"));
    } catch (Problem p) {
      deleteQuietly(file);
      throw p;
    }
    UUID id = UUID.randomUUID();
    return store
        .insert(
            id,
            request.source(),
            clip(cmd.getString("file_name"), 500),
            cmd.getLong("file_bytes", 0L),
            file.toString(),
            node.nodeId(),
            request.serverId(),
            request.timezone() == null ? null : request.timezone().getId(),
            cmd.getString("requested_by"))
        .onFailure(err -> deleteQuietly(file))
        .onSuccess(
            job -> {
              publish(job);
              housekeeping();
            })
        .map(job -> CommandReply.body(202, job));
  }

  /**
   * {@code imports.cancel}: queued anywhere is cancelled at once; running, the reader stops at its
   * next row.
   */
  private Future<JsonObject> cancel(JsonObject cmd) {
    UUID id = uuid(cmd.getString("id"));
    return store
        .cancel(id)
        .compose(
            cancelled -> {
              if (cancelled.isPresent()) {
                JsonObject job = cancelled.get();
                if (running != null && running.id.equals(id)) stopReading(running);
                publish(job);
                return Future.succeededFuture(CommandReply.body(200, job));
              }
              return store
                  .find(id)
                  .map(
                      found -> {
                        JsonObject job =
                            found.orElseThrow(() -> Problem.notFound("No import " + id));
                        if ("running".equals(job.getString("status"))) {
                          throw Problem.conflict(
                              "Import "
                                  + id
                                  + " is moving its rows in and can no longer be cancelled");
                        }
                        throw Problem.conflict(
                            "Import "
                                + id
                                + " has already ended ("
                                + job.getString("status")
                                + ")");
                      });
            });
  }

  // ---- housekeeping: liveness, stale imports, finished uploads, the next claim
  // -------------------------------

  private void housekeeping() {
    if (housekeeping) return;
    housekeeping = true;
    store
        .touch(node.nodeId())
        .compose(v -> store.failStale(STALE_AFTER))
        .compose(
            stale -> {
              // its transaction went with its node's connection
              stale.forEach(id -> log.warn("import {} lost its node: failed", id));
              return Future.<Void>succeededFuture();
            })
        .compose(v -> deleteFinishedUploads())
        .compose(
            v ->
                running != null
                    ? Future.succeededFuture(java.util.Optional.<ImportStore.Claimed>empty())
                    : store.claim(node.nodeId()))
        .onComplete(
            ar -> {
              housekeeping = false;
              if (ar.failed()) {
                log.warn("import housekeeping failed: {}", ar.cause().toString());
              } else if (ar.result().isPresent() && running == null) {
                run(ar.result().get());
              }
            });
  }

  private Future<Void> deleteFinishedUploads() {
    return store
        .doneFiles(node.nodeId())
        .compose(
            rows -> {
              Future<Void> chain = Future.succeededFuture();
              for (var r : rows) {
                UUID id = r.getUUID("id");
                Path file = Path.of(r.getString("file_path"));
                chain =
                    chain
                        .compose(v -> vertx.executeBlocking(() -> Files.deleteIfExists(file)))
                        .compose(v -> store.forgetFile(id));
              }
              return chain;
            });
  }

  private Future<Void> deleteLeftoverUploads() {
    return store
        .liveFiles()
        .compose(
            live ->
                vertx.executeBlocking(
                    () -> {
                      Set<Path> keep = new HashSet<>();
                      live.forEach(f -> keep.add(Path.of(f)));
                      Instant cutoff = Instant.now().minus(LEFTOVER_UPLOAD_AGE);
                      try (Stream<Path> files = Files.list(uploads)) {
                        for (Path f : files.toList()) {
                          if (!keep.contains(f)
                              && Files.isRegularFile(f)
                              && Files.getLastModifiedTime(f).toInstant().isBefore(cutoff)) {
                            Files.deleteIfExists(f);
                          }
                        }
                      }
                      return null;
                    }));
  }

  // ---- one run
  // ------------------------------------------------------------------------------------------------

  private void run(ImportStore.Claimed claimed) {
    JsonObject job = claimed.job();
    UUID id = UUID.fromString(job.getString("id"));
    Running run = new Running(id);
    running = run;
    publish(job);
    log.info("import {} ({}, {}) started", id, job.getString("source"), job.getString("file_name"));
    ImportSource source = ImportSource.fromWireName(job.getString("source"));
    UUID serverId =
        job.getString("server_id") == null ? null : UUID.fromString(job.getString("server_id"));
    String tz = job.getString("timezone");
    HistorySource reader = source.reader(tz == null ? ZoneOffset.UTC : java.time.ZoneId.of(tz));
    run.sink =
        new SessionSink(
            id,
            serverId != null ? serverId : ImportIds.unboundServer(source),
            run.counters,
            this::writeBatch,
            Instant.now());
    if (run.cancelled) run.sink.cancel();
    run.pulseTimer = vertx.setPeriodic(PROGRESS_INTERVAL_MS, t -> pulse(run));
    Path file = Path.of(claimed.filePath());

    JsonObject begin = new JsonObject().put("import_id", id.toString());
    if (serverId != null) begin.put("server_id", serverId.toString());
    // the file's first and last start, so the registry creates the months' partitions before the
    // import's transaction opens (never inside it: that would lock out every live start)
    readers
        .executeBlocking(() -> reader.span(file), false)
        .compose(
            span -> {
              span.ifPresent(
                  sp ->
                      begin
                          .put("from_day", sp.first().minusDays(1).toString())
                          .put("to_day", sp.last().plusDays(1).toString()));
              return command(
                  Addresses.SESSIONS_IMPORT_BEGIN,
                  begin,
                  BEGIN,
                  "opening the import's transaction");
            })
        .compose(
            opened -> {
              run.open = true;
              return readers.executeBlocking(
                  () -> {
                    try {
                      reader.read(file, run.sink);
                      return run.sink.finish();
                    } finally {
                      run.sink.drain();
                    }
                  },
                  false);
            })
        .compose(
            staged ->
                store
                    .phase(id, "moving_in")
                    .compose(
                        moving -> {
                          // the cancel that won the row before this phase change
                          if (run.cancelled || moving.isEmpty())
                            return Future.failedFuture(new CancellationException("cancelled"));
                          vertx.cancelTimer(run.pulseTimer);
                          return pulseNow(run).compose(v -> commit(run));
                        }))
        .compose(
            counts ->
                store
                    .phase(id, "rolling_up")
                    .onSuccess(j -> j.ifPresent(this::publish))
                    .compose(
                        v ->
                            rollUp(
                                id,
                                counts.getString("first_started_at"),
                                counts.getString("last_ended_at"),
                                counts.getString("rows_created_at")))
                    .map(counts.getLong("sessions_inserted")))
        .transform(
            ar ->
                rollback(run)
                    .onComplete(v -> finish(run, ar.succeeded() ? ar.result() : null, ar.cause())));
  }

  /** One batch to the registry's open transaction; fails with the registry's reason. */
  private Future<Void> writeBatch(HistoryBatch batch) {
    return vertx
        .eventBus()
        .<JsonObject>request(Addresses.SESSIONS_IMPORT_ROWS, batch, ROWS)
        .compose(reply -> answer(reply.body(), "writing the sessions"))
        .mapEmpty();
  }

  /** Users and content upserted, COMMIT; the reply names the sessions inserted. */
  private Future<JsonObject> commit(Running run) {
    run.open = false;
    return command(
            Addresses.SESSIONS_IMPORT_END,
            new JsonObject().put("import_id", run.id.toString()).put("commit", true),
            END,
            "committing the import")
        .onSuccess(counts -> log.info("import {} committed: {}", run.id, counts.encode()));
  }

  /** After a failure or a cancel, the transaction (if still open) is rolled back: nothing stays. */
  private Future<Void> rollback(Running run) {
    if (!run.open) return Future.succeededFuture();
    run.open = false;
    return command(
            Addresses.SESSIONS_IMPORT_END,
            new JsonObject().put("import_id", run.id.toString()).put("commit", false),
            END,
            "rolling the import back")
        .<Void>mapEmpty()
        .recover(
            err -> {
              // the registry rolls back an import it has not heard of for a while, and a lost
              // connection rolls back by itself
              log.warn("import {}: rollback not confirmed: {}", run.id, err.toString());
              return Future.succeededFuture();
            });
  }

  private Future<JsonObject> command(
      String address, JsonObject body, DeliveryOptions options, String what) {
    return vertx
        .eventBus()
        .<JsonObject>request(address, body, options)
        .compose(reply -> answer(reply.body(), what));
  }

  private static Future<JsonObject> answer(JsonObject reply, String what) {
    JsonObject problem = reply.getJsonObject("problem");
    if (problem != null)
      return Future.failedFuture(
          new ImportFailure(what + " failed: " + problem.getString("detail")));
    JsonObject body = reply.getJsonObject("body");
    return Future.succeededFuture(body == null ? new JsonObject() : body);
  }

  /**
   * Imported sessions are late reports to the roll-up (started long before they were created), so a
   * run now rebuilds the days they touched, from the earliest imported start to the latest imported
   * end and no others (handed over: the sessions' created_at is the transaction's start, which a
   * periodic run during a long import may already have passed). {@code rowsCreatedAt}, that
   * transaction's start, goes with it ({@code imported_at}): once this run has succeeded, the
   * periodic runs' late-report path leaves the import's rows out instead of re-rolling its span
   * again until the watermark passes them. A failed run does not undo an import that has been
   * committed, and records nothing: the periodic roll-up takes the same path.
   */
  private Future<Void> rollUp(
      UUID id, String firstStartedAt, String lastEndedAt, String rowsCreatedAt) {
    JsonObject cmd = new JsonObject();
    if (firstStartedAt != null) {
      cmd.put("late_from", firstStartedAt);
      if (lastEndedAt != null) cmd.put("late_to", lastEndedAt);
      if (rowsCreatedAt != null) cmd.put("imported_at", rowsCreatedAt);
    }
    return vertx
        .eventBus()
        .request(Addresses.STATS_ROLLUP, cmd, ROLLUP)
        .<Void>mapEmpty()
        .recover(
            err -> {
              log.warn(
                  "import {}: the roll-up after it failed ({}); the periodic roll-up will pick the days up",
                  id,
                  err.toString());
              return Future.succeededFuture();
            });
  }

  private void finish(Running run, Long inserted, Throwable failure) {
    vertx.cancelTimer(run.pulseTimer);
    String status;
    String error = null;
    if (failure == null) {
      status = "completed";
    } else if (failure instanceof CancellationException || run.cancelled) {
      status = "cancelled";
    } else {
      status = "failed";
      error = reason(failure);
      log.warn(
          "import {} failed: {}", run.id, error, failure instanceof ImportFailure ? null : failure);
    }
    String finalError = error;
    store
        .finish(
            run.id, status, run.counters.snapshot(), inserted == null ? 0 : inserted, finalError)
        .onSuccess(j -> j.ifPresent(this::publish))
        .onFailure(
            err ->
                log.warn(
                    "import {}: its end ({}) could not be written: {}",
                    run.id,
                    status,
                    err.toString()))
        .onComplete(
            ar -> {
              log.info(
                  "import {} {}: {} read, {} skipped, {} imported",
                  run.id,
                  status,
                  run.counters.rowsRead(),
                  run.counters.snapshot().rowsSkipped(),
                  inserted == null ? 0 : inserted);
              running = null;
              housekeeping();
            });
  }

  /** What the person who uploaded the file reads as the import's error. */
  private static String reason(Throwable failure) {
    if (failure instanceof ImportFailure f) return f.getMessage();
    if (failure instanceof SessionSink.WriteFailed f) return f.getMessage();
    if (failure instanceof Problem p) return p.getMessage();
    return "the import stopped unexpectedly: " + failure;
  }

  // ---- progress
  // ----------------------------------------------------------------------------------------------

  private void pulse(Running run) {
    if (run.pulsing) return;
    pulseNow(run);
  }

  private Future<Void> pulseNow(Running run) {
    run.pulsing = true;
    return store
        .progress(run.id, run.counters.snapshot())
        .onSuccess(
            p -> {
              if (p.cancelRequested()) stopReading(run);
              publish(p.job());
            })
        .onFailure(err -> log.warn("import {}: progress not written: {}", run.id, err.toString()))
        .<Void>mapEmpty()
        .recover(err -> Future.succeededFuture())
        .onComplete(ar -> run.pulsing = false);
  }

  private static void stopReading(Running run) {
    run.cancelled = true;
    if (run.sink != null) run.sink.cancel();
  }

  private void publish(JsonObject job) {
    vertx.eventBus().publish(Addresses.IMPORT_PROGRESS, job);
  }

  // ---- helpers
  // -----------------------------------------------------------------------------------------------

  private void deleteQuietly(Path file) {
    vertx
        .executeBlocking(() -> Files.deleteIfExists(file))
        .onFailure(err -> log.warn("upload {} not deleted: {}", file, err.toString()));
  }

  private static UUID uuid(String value) {
    try {
      if (value != null && value.length() == 36) return UUID.fromString(value);
    } catch (IllegalArgumentException ignored) {
      // reported below
    }
    throw Problem.validation("id", "must be a UUID");
  }

  private static String clip(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
