package io.tracearr.analytics.session;

import io.tracearr.analytics.api.Problem;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.bus.EventPacer;
import io.tracearr.analytics.bus.RateBudget;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.cluster.PeriodicJobs;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.node.NodeContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the session lifecycle on one node: starts and ends committed before the reply, heartbeats
 * coalesced per session and written in batches, silent sessions reaped, and every change published
 * cluster-wide. Commands arrive on local addresses from either door (REST, WebSocket ingest).
 */
public final class SessionRegistryVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SessionRegistryVerticle.class);
  private static final long UPDATED_EVENT_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
  private static final int MAX_FLUSH_BATCH = 10_000;
  private static final int FAILING_AFTER = 3;

  private final NodeContext node;
  private final AppConfig.Sessions cfg;
  private final Function<String, SessionRepository.Geo> locator;
  private final Clock clock;
  private final Map<UUID, OpenSession> open = new HashMap<>();

  /**
   * Ends reported without an {@code ended_at} whose write has not completed yet: a retry of the end
   * (after a 503 outcome-unknown) takes the first report's time, so the session ends when it was
   * first reported, whichever of the two writes commits first. Holds only ends in flight.
   */
  private final Map<UUID, Instant> endsInFlight = new HashMap<>();

  private final HeartbeatBuffer buffer;

  /** heartbeats the gateway answered itself, for sessions known open here (issue 18) */
  private final HeartbeatIntake intake;

  /**
   * session.updated at most once per session per second from this node; holds the flushed row,
   * encoded when due
   */
  private final EventPacer<UUID, Row> updates;

  /**
   * then at most {@code sessions.updated_max_per_second} published: at 50 000 sessions × one
   * heartbeat per 10 s the registry built and published 5 000 session JSONs a second, each consumed
   * by every gateway instance of every node whose dashboards take 200 a second at most (bench/run
   * scenario 7). The newest row per session waits its turn, at most {@code
   * sessions.updated_held_max} of them.
   */
  private final RateBudget<UUID, Row> updateBudget;

  private SessionRepository repository;
  private SessionExpiry expiry;
  private HistoryImport historyImport;
  private EventBus bus;
  private final java.util.ArrayDeque<PendingStart> startQueue = new java.util.ArrayDeque<>();
  private final int maxStartsWaiting;
  private int startBatchesInFlight;
  private Future<Void> flushChain = Future.succeededFuture();
  private boolean flushing;
  private int consecutiveFlushFailures;

  public SessionRegistryVerticle(
      NodeContext node, Function<String, SessionRepository.Geo> locator) {
    this(node, locator, Clock.systemUTC());
  }

  /**
   * {@code clock} stamps starts and heartbeats (played time is measured by it); tests pass one they
   * move.
   */
  public SessionRegistryVerticle(
      NodeContext node, Function<String, SessionRepository.Geo> locator, Clock clock) {
    this.node = node;
    this.cfg = node.config().sessions();
    this.locator = locator;
    this.clock = clock;
    this.buffer = new HeartbeatBuffer(cfg.heartbeatBufferMax(), open::get);
    this.intake = new HeartbeatIntake(cfg.heartbeatBufferMax(), clock);
    // the bound holds for both doors together (PostgresOutageIT saw 112 of 100 pending)
    this.buffer.countAlso(intake::queuedCount);
    // each held update is a flushed row (~2 kB): bounded against the heap
    // (sessions.updated_held_max)
    this.updates = new EventPacer<>(UPDATED_EVENT_INTERVAL_NANOS, cfg.updatedHeldMax());
    this.updateBudget =
        new RateBudget<>(
            cfg.updatedMaxPerSecond(), cfg.updatedHeldMax(), (id, row) -> publishUpdated(row));
    // beyond a few batches' worth the database is not keeping up: answer 503 at once rather than
    // queue starts that would time out anyway
    this.maxStartsWaiting = cfg.startBatchMax() * cfg.startBatchesInFlight() * 4;
  }

  @Override
  public Future<?> start() {
    repository = new SessionRepository(node.pool(), node.heartbeatPool());
    expiry = new SessionExpiry(node.pool());
    historyImport = new HistoryImport(vertx, node.pool());
    bus = vertx.eventBus();
    HistoryBatch.register(bus);
    vertx.setPeriodic(
        cfg.heartbeatFlushMs(),
        id -> {
          drainIntake();
          if (!flushing) flushNow();
        });
    vertx.setPeriodic(60_000, id -> pruneCache());
    intake.register(vertx);
    vertx.setPeriodic(100, id -> updateBudget.tick());
    vertx.setPeriodic(
        5_000, id -> repository.countActive().onSuccess(node.metrics().activeSessions::set));
    node.health().report("heartbeat_writes", "ok", false);
    PeriodicJobs jobs = new PeriodicJobs(vertx, node);
    jobs.schedule("reaper", cfg.reapIntervalSeconds() * 1000L, this::reap);
    // playback_sessions' monthly partitions, created ahead once per cluster (issue 18): hourly, so
    // a month's partition exists weeks before its first start whatever the nodes' uptime
    SessionPartitions partitions = new SessionPartitions(node.pool());
    jobs.schedule("session_partitions", 3_600_000L, () -> partitions.ensureAhead(clock.instant()));
    return Future.all(
        List.of(
            bus.<JsonObject>localConsumer(Addresses.SESSIONS_START, msg -> serve(msg, this::start))
                .completion(),
            bus.<JsonObject>localConsumer(
                    Addresses.SESSIONS_HEARTBEAT, msg -> serve(msg, this::heartbeat))
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.SESSIONS_END, msg -> serve(msg, this::end))
                .completion(),
            bus.<JsonObject>localConsumer(
                    Addresses.SESSIONS_TERMINATE, msg -> serve(msg, this::terminate))
                .completion(),
            bus.<JsonObject>localConsumer(Addresses.SESSIONS_EXPIRE, this::expire).completion(),
            // an import's transaction lasts as long as the import: each command answers when its
            // statements are done
            bus.<JsonObject>localConsumer(
                    Addresses.SESSIONS_IMPORT_BEGIN, msg -> serveImport(msg, historyImport::begin))
                .completion(),
            bus.<HistoryBatch>localConsumer(
                    Addresses.SESSIONS_IMPORT_ROWS, msg -> serveImport(msg, historyImport::rows))
                .completion(),
            bus.<JsonObject>localConsumer(
                    Addresses.SESSIONS_IMPORT_END, msg -> serveImport(msg, historyImport::end))
                .completion(),
            bus.<JsonObject>consumer(Addresses.SESSION_ENDED, msg -> forget(msg.body()))
                .completion()));
  }

  private <T> void serveImport(Message<T> msg, Function<T, Future<JsonObject>> command) {
    CommandReply.serve(msg, command, DatabaseErrors::toProblem, SharedJson.OPTIONS);
  }

  /** Buffered heartbeats are written before the node goes; an open import is rolled back. */
  @Override
  public Future<?> stop() {
    intake.unregister(vertx);

    historyImport.rollbackAll();
    return flushNow()
        .recover(
            err -> {
              log.warn(
                  "{} buffered heartbeat(s) could not be written at shutdown: {}",
                  buffer.size(),
                  err.toString());
              return Future.succeededFuture();
            });
  }

  /**
   * Every command is answered within {@code sessions.command_timeout_ms}, below a client's
   * patience: a database that accepts the statement and then freezes must not hold the client for
   * the pool's whole wait. The answer then says the truth — the write may or may not commit later —
   * and starts and ends are idempotent by id, so the client retries with the same id and gets the
   * real outcome.
   */
  private void serve(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> command) {
    Future<JsonObject> reply;
    try {
      reply =
          command
              .apply(msg.body())
              .timeout(cfg.commandTimeoutMs(), TimeUnit.MILLISECONDS)
              .recover(
                  err ->
                      Future.failedFuture(
                          err instanceof TimeoutException ? outcomeUnknown() : err));
    } catch (Problem p) {
      reply = Future.failedFuture(p);
    } catch (RuntimeException bug) {
      // a defect must still answer at once (500), not leave the client to the bus timeout
      log.error("session command failed: {}", msg.body().encode(), bug);
      reply = Future.failedFuture(Problem.ofStatus(500));
    }
    reply.onComplete(
        ar ->
            msg.reply(
                ar.succeeded()
                    ? ar.result()
                    : CommandReply.problem(DatabaseErrors.toProblem(ar.cause())),
                SharedJson.OPTIONS));
  }

  // ---- start
  // -------------------------------------------------------------------------------------------

  private Future<JsonObject> start(JsonObject cmd) {
    SessionInput.Start s =
        SessionInput.start(cmd.getJsonObject("body", new JsonObject()), clock.instant());
    if (startQueue.size() >= maxStartsWaiting) {
      throw Problem.unavailable("Too many session starts waiting for the database; retry shortly");
    }
    SessionRepository.Geo geo = locator.apply(s.ipAddress());
    PendingStart pending =
        new PendingStart(SessionRepository.insertTuple(s, geo), Promise.promise());
    startQueue.add(pending);
    writeStarts();
    return pending
        .inserted()
        .future()
        .compose(
            inserted -> {
              if (inserted.isPresent()) {
                JsonObject session = inserted.get();
                OpenSession os = OpenSession.of(session, clock.instant());
                open.put(s.id(), os);
                intake.known(os.id, os.ipAddress);
                node.metrics().sessionsStarted.increment();
                bus.publish(Addresses.SESSION_STARTED, session, SharedJson.OPTIONS);
                bus.send(
                    Addresses.DETECT_SESSION,
                    new JsonObject().put("reason", "started").put("session", session));
                return Future.succeededFuture(CommandReply.ok(201, session));
              }
              return repository
                  .find(s.id())
                  .map(
                      existing -> {
                        JsonObject e =
                            existing.orElseThrow(
                                () ->
                                    Problem.conflict(
                                        "Session " + s.id() + " is being created concurrently"));
                        if (sameStart(e, s)) return CommandReply.ok(200, e);
                        throw Problem.conflict(
                            "Session "
                                + s.id()
                                + " exists with a different user, content or device");
                      });
            });
  }

  /** A start waiting for its batch's commit. */
  private record PendingStart(Tuple params, Promise<Optional<JsonObject>> inserted) {}

  /**
   * Group commit: starts that arrive while {@code sessions.start_batches_in_flight} transactions
   * are committing wait here and go out together in the next one (at most {@code
   * sessions.start_batch_max}), one statement per start in one transaction, so they share one
   * commit. With fsync on a commit waits for the disk, and one commit per start over the pool's
   * connections was 0.19 × pgbench (docs/benchmarks.md, scenario 2). Under a light load a start
   * finds nothing in flight and goes out alone at once: no batching window, no added latency. Each
   * start is answered only after its transaction committed.
   */
  private void writeStarts() {
    while (startBatchesInFlight < cfg.startBatchesInFlight() && !startQueue.isEmpty()) {
      List<PendingStart> batch = new ArrayList<>(Math.min(startQueue.size(), cfg.startBatchMax()));
      while (batch.size() < cfg.startBatchMax() && !startQueue.isEmpty()) {
        batch.add(startQueue.poll());
      }
      startBatchesInFlight++;
      node.metrics().startBatch.record(batch.size());
      writeStartsIsolating(batch)
          .onComplete(
              ar -> {
                startBatchesInFlight--;
                writeStarts();
              });
    }
  }

  /**
   * Writes a batch of starts and answers each. A batch refused for its data (SQLSTATE class 22/23)
   * or caught in a deadlock (class 40: two batches upserting the same users or titles in opposite
   * orders) was rolled back as a whole: it is split in halves until the start at fault is alone,
   * which then gets its own error, so one bad start never fails the others (as {@link
   * #writeIsolating} does for heartbeats). Any other failure (the database away) fails them all.
   */
  private Future<Void> writeStartsIsolating(List<PendingStart> batch) {
    List<Tuple> params = new ArrayList<>(batch.size());
    for (PendingStart p : batch) params.add(p.params());
    return repository
        .insertAll(params)
        .transform(
            ar -> {
              if (ar.succeeded()) {
                List<Optional<JsonObject>> rows = ar.result();
                for (int i = 0; i < batch.size(); i++)
                  batch.get(i).inserted().complete(rows.get(i));
                return Future.succeededFuture();
              }
              Throwable err = ar.cause();
              if (batch.size() > 1 && (DatabaseErrors.isDataError(err) || isDeadlock(err))) {
                int mid = batch.size() / 2;
                List<PendingStart> right = batch.subList(mid, batch.size());
                return writeStartsIsolating(batch.subList(0, mid))
                    .eventually(() -> writeStartsIsolating(right));
              }
              for (PendingStart p : batch) p.inserted().tryFail(err);
              return Future.succeededFuture();
            });
  }

  private static boolean isDeadlock(Throwable err) {
    return err instanceof io.vertx.pgclient.PgException pg
        && pg.getSqlState() != null
        && pg.getSqlState().startsWith("40");
  }

  private static boolean sameStart(JsonObject existing, SessionInput.Start s) {
    return existing.getString("user_id").equals(s.userId().toString())
        && existing.getString("content_id").equals(s.contentId().toString())
        && existing.getString("content_type").equals(s.contentType())
        && existing.getString("device_key").equals(s.deviceKey());
  }

  private Problem outcomeUnknown() {
    return new Problem(
        503,
        "outcome-unknown",
        "Outcome unknown",
        "The database did not answer within "
            + cfg.commandTimeoutMs()
            + " ms: this write may or may not have been"
            + " committed. Retry with the same id: starts and ends are idempotent, the retry answers the real outcome.",
        null);
  }

  // ---- heartbeat
  // -----------------------------------------------------------------------------------------

  private Future<JsonObject> heartbeat(JsonObject cmd) {
    UUID id = SessionInput.pathId("id", cmd.getString("id"));
    SessionInput.Heartbeat hb = SessionInput.heartbeat(cmd.getJsonObject("body", new JsonObject()));
    OpenSession known = open.get(id);
    if (known != null) {
      Future<JsonObject> reply = accept(known, hb, clock.instant(), true);
      intake.known(id, known.ipAddress);
      return reply;
    }
    return repository
        .find(id)
        .compose(
            found -> {
              JsonObject s = found.orElseThrow(() -> Problem.notFound("No session " + id));
              if ("terminated".equals(s.getString("ended_reason"))) throw terminatedProblem(id);
              if (s.getString("ended_at") != null)
                throw Problem.conflict(
                    "Session " + id + " has ended (" + s.getString("status") + ")");
              OpenSession os = open.computeIfAbsent(id, k -> OpenSession.of(s, clock.instant()));
              Future<JsonObject> reply = accept(os, hb, clock.instant(), true);
              intake.known(id, os.ipAddress);
              return reply;
            });
  }

  /**
   * Moves the heartbeats the gateway answered itself into the buffer, in the order they came. A
   * session ended meanwhile drops its heartbeat (it raced the end, see {@link HeartbeatIntake}).
   */
  private void drainIntake() {
    HeartbeatIntake.Queued q;
    while ((q = intake.poll()) != null) {
      OpenSession os = open.get(q.sessionId());
      if (os == null) {
        node.metrics().heartbeatsDropped.increment();
        continue;
      }
      accept(os, q.heartbeat(), q.at(), false);
    }
    intake.registryWaiting(buffer.size() + buffer.inFlight());
  }

  /**
   * @param mayRefuse false for a heartbeat already acknowledged (from the intake): buffered even
   *     past the buffer's bound
   */
  private Future<JsonObject> accept(
      OpenSession os, SessionInput.Heartbeat hb, Instant now, boolean mayRefuse) {
    boolean ipChanged = hb.ipAddress() != null && !hb.ipAddress().equals(os.ipAddress);
    SessionInput.Heartbeat effective = ipChanged ? hb : withoutIp(hb);
    SessionRepository.Geo geo = ipChanged ? locator.apply(hb.ipAddress()) : null;
    buffer.add(os, effective, now, geo, mayRefuse);
    if (mayRefuse) intake.registryWaiting(buffer.size() + buffer.inFlight());
    if (hb.status() != null) os.status = hb.status();
    if (hb.bandwidthKbps() != null) os.bandwidthKbps = hb.bandwidthKbps();
    if (ipChanged) os.ipAddress = hb.ipAddress();
    os.lastSeen = now;
    node.metrics().heartbeatsAccepted.increment();
    node.metrics().pendingHeartbeats.set(buffer.size());
    if (ipChanged) {
      // the detector reads the database, so the new address is written before it judges
      UUID id = os.id;
      flushNow()
          .onSuccess(
              v ->
                  repository
                      .find(id)
                      .onSuccess(
                          s ->
                              s.ifPresent(
                                  session ->
                                      bus.send(
                                          Addresses.DETECT_SESSION,
                                          new JsonObject()
                                              .put("reason", "ip_changed")
                                              .put("session", session)))));
    }
    return Future.succeededFuture(new JsonObject().put("status", 204));
  }

  private static SessionInput.Heartbeat withoutIp(SessionInput.Heartbeat hb) {
    if (hb.ipAddress() == null) return hb;
    return new SessionInput.Heartbeat(
        hb.status(),
        hb.positionSeconds(),
        hb.bandwidthKbps(),
        hb.bytesTransferred(),
        hb.transcoded(),
        hb.resolution(),
        null);
  }

  /**
   * Serialised: one batch in flight at a time; a caller waits for everything buffered before its
   * call.
   */
  Future<Void> flushNow() {
    flushChain = flushChain.transform(ignored -> flushBatch());
    return flushChain;
  }

  private Future<Void> flushBatch() {
    drainIntake();
    updates.due(System.nanoTime(), updateBudget::offer);
    if (buffer.isEmpty()) return Future.succeededFuture();
    List<PendingHeartbeat> batch = buffer.take(MAX_FLUSH_BATCH);
    if (batch.isEmpty()) return Future.succeededFuture();
    flushing = true;
    long t0 = System.nanoTime();
    List<PendingHeartbeat> unwritten = new ArrayList<>();
    return writeIsolating(batch, unwritten)
        .transform(
            ar -> {
              flushing = false;
              if (!unwritten.isEmpty()) {
                buffer.requeue(unwritten);
                node.metrics().pendingHeartbeats.set(buffer.size());
                flushFailed(ar.failed() ? ar.cause() : null);
                return Future.failedFuture(
                    ar.failed() ? ar.cause() : new IllegalStateException("heartbeats not written"));
              }
              buffer.written();
              flushSucceeded();
              node.metrics().heartbeatFlushBatch.record(batch.size());
              node.metrics().heartbeatFlushLatency.record(Duration.ofNanos(System.nanoTime() - t0));
              node.metrics().pendingHeartbeats.set(buffer.size());
              long now = System.nanoTime();
              for (Row row : ar.result()) {
                OpenSession os = open.get(row.getUUID(SessionRepository.ID));
                if (os == null) {
                  publishUpdated(row);
                  continue;
                }
                os.status = row.getString(SessionRepository.STATUS);
                if (!os.status.equals(os.publishedStatus)) {
                  // paused, resumed, buffering: out now, ahead of position-only updates (the
                  // budget still counts it; publishUpdated marks it urgent for the hubs)
                  updates.forget(os.id);
                  updateBudget.offerUrgent(os.id, row);
                  continue;
                }
                Row due = updates.offer(os.id, row, now);
                if (due != null) updateBudget.offer(os.id, due);
              }
              intake.registryWaiting(buffer.size() + buffer.inFlight());
              return buffer.isEmpty() ? Future.succeededFuture() : flushBatch();
            });
  }

  /**
   * Writes a batch. A data error (SQLSTATE class 22/23: a value PostgreSQL cannot store) splits the
   * batch in halves until each offending session is alone; its heartbeats are dropped and logged,
   * everything else is written, so one bad heartbeat can never stop a node's writes. Any other
   * failure (the database away) leaves that part in {@code unwritten}, for the caller to put back;
   * parts already written stay written (a heartbeat written twice would count its played time
   * twice).
   */
  private Future<List<Row>> writeIsolating(
      List<PendingHeartbeat> batch, List<PendingHeartbeat> unwritten) {
    return repository
        .flush(batch)
        .recover(
            err -> {
              if (!DatabaseErrors.isDataError(err)) {
                unwritten.addAll(batch);
                return Future.failedFuture(err);
              }
              if (batch.size() == 1) {
                PendingHeartbeat bad = batch.get(0);
                log.warn(
                    "heartbeats of session {} dropped: PostgreSQL refused their values ({})",
                    bad.sessionId,
                    err.getMessage());
                node.metrics().heartbeatsDropped.increment();
                return Future.succeededFuture(List.of());
              }
              int mid = batch.size() / 2;
              List<PendingHeartbeat> left = batch.subList(0, mid);
              List<PendingHeartbeat> right = batch.subList(mid, batch.size());
              return writeIsolating(left, unwritten)
                  .transform(
                      l -> {
                        if (l.failed()) {
                          unwritten.addAll(right);
                          return Future.failedFuture(l.cause());
                        }
                        return writeIsolating(right, unwritten)
                            .map(
                                r -> {
                                  List<Row> all = new ArrayList<>(l.result());
                                  all.addAll(r);
                                  return all;
                                });
                      });
            });
  }

  private void flushSucceeded() {
    if (consecutiveFlushFailures == 0) return;
    consecutiveFlushFailures = 0;
    node.metrics().heartbeatWritesFailing.set(0);
    node.health().report("heartbeat_writes", "ok", false);
    log.info("heartbeat writes succeed again");
  }

  /**
   * Three failed flushes in a row (about 3 s of heartbeats not written) make this node say so:
   * readiness goes 503 and {@code analytics_heartbeat_writes_failing} 1, until a flush succeeds.
   */
  private void flushFailed(Throwable cause) {
    consecutiveFlushFailures++;
    if (consecutiveFlushFailures == FAILING_AFTER) {
      node.metrics().heartbeatWritesFailing.set(1);
      log.warn(
          "heartbeat writes keep failing ({} flushes in a row): {}",
          FAILING_AFTER,
          String.valueOf(cause));
    }
    if (consecutiveFlushFailures >= FAILING_AFTER) {
      node.health()
          .report(
              "heartbeat_writes",
              new JsonObject()
                  .put("status", "failing")
                  .put("failed_flushes", consecutiveFlushFailures)
                  .put("pending", buffer.size())
                  .put("error", cause == null ? null : cause.getMessage()),
              true);
    }
  }

  private void publishUpdated(Row row) {
    OpenSession os = open.get(row.getUUID(SessionRepository.ID));
    if (os != null) {
      JsonObject session =
          repository.toJson(
              row, os.userName, os.content != null ? os.content : SessionRepository.emptyContent());
      String status = row.getString(SessionRepository.STATUS);
      boolean changed = !status.equals(os.publishedStatus);
      os.publishedStatus = status;
      bus.publish(
          Addresses.SESSION_UPDATED, session, changed ? SharedJson.URGENT : SharedJson.OPTIONS);
    } else {
      JsonObject session = repository.toJson(row);
      // rare (ended or pruned while its heartbeats were in flight): read the names rather than
      // publish none
      repository
          .find(row.getUUID(SessionRepository.ID))
          .onComplete(
              ar -> {
                JsonObject found = ar.succeeded() ? ar.result().orElse(null) : null;
                JsonObject named =
                    found != null && found.getString("ended_at") == null ? found : session;
                bus.publish(Addresses.SESSION_UPDATED, named, SharedJson.OPTIONS);
              });
    }
  }

  // ---- end
  // -----------------------------------------------------------------------------------------------

  private Future<JsonObject> end(JsonObject cmd) {
    UUID id = SessionInput.pathId("id", cmd.getString("id"));
    Instant receivedAt = clock.instant();
    SessionInput.End given = SessionInput.end(cmd.getJsonObject("body"), receivedAt);
    // the end happened when it was first reported, not when the database got round to committing
    // it, nor when a client retried it
    boolean firstReport = given.endedAt() == null && !endsInFlight.containsKey(id);
    SessionInput.End e =
        given.endedAt() != null
            ? given
            : new SessionInput.End(endsInFlight.getOrDefault(id, receivedAt));
    String reason = endReason(cmd);
    OpenSession os = open.get(id);
    // later heartbeats take the command path (409 once ended); queued ones are drained by the flush
    intake.forget(id);
    // the session's heartbeats go first: those still buffered, and those in a batch being written
    // right now (an
    // end committed before that batch would make the batch skip the ended row, losing the last
    // position)
    if (firstReport) endsInFlight.put(id, receivedAt);
    Future<Void> flushed = os != null ? flushNow() : Future.succeededFuture();
    Future<Optional<JsonObject>> written =
        flushed.compose(v -> repository.end(id, e.endedAt(), reason));
    // the write itself, not the answer's timeout: a retry while it is still running keeps the time
    if (firstReport) written.onComplete(ar -> endsInFlight.remove(id));
    return written.compose(
        ended -> {
          if (ended.isPresent()) {
            JsonObject session = ended.get();
            open.remove(id);
            updates.forget(id);
            updateBudget.forget(id);
            node.metrics().sessionEnded(reason);
            bus.publish(Addresses.SESSION_ENDED, session, SharedJson.OPTIONS);
            return Future.succeededFuture(
                new JsonObject().put("status", 204).put("session", session));
          }
          return repository
              .find(id)
              .map(
                  found -> {
                    JsonObject s = found.orElseThrow(() -> Problem.notFound("No session " + id));
                    if (s.getString("ended_at") != null)
                      return new JsonObject().put("status", 204).put("session", s);
                    throw Problem.validation(
                        "ended_at",
                        "must not be before started_at (" + s.getString("started_at") + ")");
                  });
        });
  }

  /**
   * A heartbeat for a terminated session: the plain REST client's only way to learn it was stopped
   * (issue 15), so its problem type says so ({@code .../session-terminated}).
   */
  static Problem terminatedProblem(UUID id) {
    return new Problem(
        409,
        "session-terminated",
        "Session terminated",
        "Session "
            + id
            + " was terminated by an administrator or a rule (ended_reason: terminated): stop"
            + " playback and do not send more heartbeats",
        null);
  }

  /**
   * {@code sessions.terminate}: ends the session now with {@code ended_reason: terminated}. {@code
   * ended} false when it had already ended (nothing changes then). The enforcement concern has
   * already made the door's stop call; it publishes {@code session.terminated}.
   */
  private Future<JsonObject> terminate(JsonObject cmd) {
    UUID id = SessionInput.pathId("id", cmd.getString("id"));
    Instant now = clock.instant();
    intake.forget(id);
    Future<Void> flushed = open.containsKey(id) ? flushNow() : Future.succeededFuture();
    return flushed
        .compose(v -> repository.end(id, now, "terminated"))
        .compose(
            ended -> {
              if (ended.isPresent()) {
                JsonObject session = ended.get();
                open.remove(id);
                updates.forget(id);
                node.metrics().sessionEnded("terminated");
                bus.publish(Addresses.SESSION_ENDED, session, SharedJson.OPTIONS);
                return Future.succeededFuture(
                    new JsonObject().put("status", 200).put("ended", true).put("session", session));
              }
              return repository
                  .find(id)
                  .map(
                      found -> {
                        JsonObject s =
                            found.orElseThrow(() -> Problem.notFound("No session " + id));
                        return new JsonObject()
                            .put("status", 200)
                            .put("ended", false)
                            .put("session", s);
                      });
            });
  }

  // ---- retention
  // ----------------------------------------------------------------------------------------

  private void expire(Message<JsonObject> msg) {
    Instant before = Instant.parse(msg.body().getString("before"));
    expiry
        .expire(before)
        .onComplete(
            ar -> {
              if (ar.succeeded()) msg.reply(new JsonObject().put("deleted", ar.result()));
              else msg.fail(503, ar.cause().toString());
            });
  }

  /**
   * The command's optional {@code reason} (a connector's end says why); REST and WebSocket ends are
   * {@code client}. {@code timeout} is the reaper's alone.
   */
  static final java.util.Set<String> END_REASONS =
      java.util.Set.of("client", "admin", "terminated", "imported");

  private static String endReason(JsonObject cmd) {
    Object v = cmd.getValue("reason");
    if (v == null) return "client";
    if (v instanceof String s && END_REASONS.contains(s)) return s;
    throw Problem.validation(
        "reason", "must be one of " + String.join(", ", END_REASONS.stream().sorted().toList()));
  }

  // ---- reaping and cache
  // ----------------------------------------------------------------------------------

  private Future<?> reap() {
    return repository
        .reap(cfg.timeoutSeconds())
        .onSuccess(
            reaped -> {
              for (JsonObject session : reaped) {
                UUID id = UUID.fromString(session.getString("id"));
                intake.forget(id);
                open.remove(id);
                updates.forget(id);
                updateBudget.forget(id);
                node.metrics().sessionEnded("timeout");
                bus.publish(Addresses.SESSION_ENDED, session, SharedJson.OPTIONS);
              }
              if (!reaped.isEmpty()) log.info("reaped {} silent session(s)", reaped.size());
            });
  }

  /**
   * A session ended anywhere in the cluster: later heartbeats here get 409 (read from the
   * database).
   */
  private void forget(JsonObject session) {
    UUID id = UUID.fromString(session.getString("id"));
    intake.forget(id);
    OpenSession os = open.remove(id);
    updates.forget(id);
    updateBudget.forget(id);
    if (os != null && os.pending != null) buffer.forget(id);
  }

  private void pruneCache() {
    Instant cutoff = clock.instant().minusSeconds(2L * cfg.timeoutSeconds());
    drainIntake();
    open.values()
        .removeIf(
            os -> {
              boolean stale = os.pending == null && os.lastSeen.isBefore(cutoff);
              if (stale) intake.forget(os.id);
              return stale;
            });
  }
}
