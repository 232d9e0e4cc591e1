package io.tracearr.analytics.session;

import io.tracearr.analytics.bus.CommandReply;
import io.tracearr.analytics.node.NodeContext;
import io.tracearr.analytics.bus.Addresses;
import io.tracearr.analytics.bus.EventPacer;
import io.tracearr.analytics.bus.SharedJson;
import io.tracearr.analytics.cluster.PeriodicJobs;
import io.tracearr.analytics.config.AppConfig;
import io.tracearr.analytics.db.DatabaseErrors;
import io.tracearr.analytics.api.Problem;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the session lifecycle on one node: starts and ends committed before the reply, heartbeats coalesced
 * per session and written in batches, silent sessions reaped, and every change published cluster-wide.
 * Commands arrive on local addresses from either door (REST, WebSocket ingest).
 */
public final class SessionRegistryVerticle extends VerticleBase {

  private static final Logger log = LoggerFactory.getLogger(SessionRegistryVerticle.class);
  private static final long UPDATED_EVENT_INTERVAL_NANOS = Duration.ofSeconds(1).toNanos();
  private static final int MAX_FLUSH_BATCH = 10_000;

  private final NodeContext node;
  private final AppConfig.Sessions cfg;
  private final Function<String, SessionRepository.Geo> locator;
  private final Clock clock;
  private final Map<UUID, OpenSession> open = new HashMap<>();
  private final HeartbeatBuffer buffer;
  /** session.updated at most once per session per second from this node; holds the flushed row, encoded when due */
  private final EventPacer<UUID, Row> updates = new EventPacer<>(UPDATED_EVENT_INTERVAL_NANOS);
  private SessionRepository repository;
  private HistoryImport historyImport;
  private EventBus bus;
  private Future<Void> flushChain = Future.succeededFuture();
  private boolean flushing;

  public SessionRegistryVerticle(NodeContext node, Function<String, SessionRepository.Geo> locator) {
    this(node, locator, Clock.systemUTC());
  }

  /** {@code clock} stamps starts and heartbeats (played time is measured by it); tests pass one they move. */
  public SessionRegistryVerticle(NodeContext node, Function<String, SessionRepository.Geo> locator, Clock clock) {
    this.node = node;
    this.cfg = node.config().sessions();
    this.locator = locator;
    this.clock = clock;
    this.buffer = new HeartbeatBuffer(cfg.heartbeatBufferMax(), open::get);
  }

  @Override
  public Future<?> start() {
    repository = new SessionRepository(node.pool(), node.heartbeatPool());
    historyImport = new HistoryImport(node.pool());
    bus = vertx.eventBus();
    vertx.setPeriodic(cfg.heartbeatFlushMs(), id -> {
      if (!flushing) flushNow();
    });
    vertx.setPeriodic(60_000, id -> pruneCache());
    vertx.setPeriodic(5_000, id -> repository.countActive().onSuccess(node.metrics().activeSessions::set));
    new PeriodicJobs(vertx, node).schedule("reaper", cfg.reapIntervalSeconds() * 1000L, this::reap);
    return Future.all(
        bus.<JsonObject>localConsumer(Addresses.SESSIONS_START, msg -> serve(msg, this::start)).completion(),
        bus.<JsonObject>localConsumer(Addresses.SESSIONS_HEARTBEAT, msg -> serve(msg, this::heartbeat)).completion(),
        bus.<JsonObject>localConsumer(Addresses.SESSIONS_END, msg -> serve(msg, this::end)).completion(),
        bus.<JsonObject>localConsumer(Addresses.SESSIONS_IMPORT, msg -> serve(msg, historyImport::run)).completion(),
        bus.<JsonObject>consumer(Addresses.SESSION_ENDED, msg -> forget(msg.body())).completion());
  }

  /** Buffered heartbeats are written before the node goes. */
  @Override
  public Future<?> stop() {
    return flushNow().recover(err -> {
      log.warn("{} buffered heartbeat(s) could not be written at shutdown: {}", buffer.size(), err.toString());
      return Future.succeededFuture();
    });
  }

  private void serve(Message<JsonObject> msg, Function<JsonObject, Future<JsonObject>> command) {
    Future<JsonObject> reply;
    try {
      reply = command.apply(msg.body());
    } catch (Problem p) {
      reply = Future.failedFuture(p);
    }
    reply.onComplete(ar -> msg.reply(ar.succeeded() ? ar.result() : CommandReply.problem(DatabaseErrors.toProblem(ar.cause())),
        SharedJson.OPTIONS));
  }

  // ---- start -------------------------------------------------------------------------------------------

  private Future<JsonObject> start(JsonObject cmd) {
    SessionInput.Start s = SessionInput.start(cmd.getJsonObject("body", new JsonObject()), clock.instant());
    SessionRepository.Geo geo = locator.apply(s.ipAddress());
    return repository.insert(s, geo).compose(inserted -> {
      if (inserted.isPresent()) {
        JsonObject session = inserted.get();
        open.put(s.id(), OpenSession.of(session, clock.instant()));
        node.metrics().sessionsStarted.increment();
        bus.publish(Addresses.SESSION_STARTED, session, SharedJson.OPTIONS);
        bus.send(Addresses.DETECT_SESSION, new JsonObject().put("reason", "started").put("session", session));
        return Future.succeededFuture(CommandReply.ok(201, session));
      }
      return repository.find(s.id()).map(existing -> {
        JsonObject e = existing.orElseThrow(() -> Problem.conflict("Session " + s.id() + " is being created concurrently"));
        if (sameStart(e, s)) return CommandReply.ok(200, e);
        throw Problem.conflict("Session " + s.id() + " exists with a different user, content or device");
      });
    });
  }

  private static boolean sameStart(JsonObject existing, SessionInput.Start s) {
    return existing.getString("user_id").equals(s.userId().toString())
        && existing.getString("content_id").equals(s.contentId().toString())
        && existing.getString("content_type").equals(s.contentType())
        && existing.getString("device_key").equals(s.deviceKey());
  }

  // ---- heartbeat -----------------------------------------------------------------------------------------

  private Future<JsonObject> heartbeat(JsonObject cmd) {
    UUID id = SessionInput.pathId("id", cmd.getString("id"));
    SessionInput.Heartbeat hb = SessionInput.heartbeat(cmd.getJsonObject("body", new JsonObject()));
    OpenSession known = open.get(id);
    if (known != null) return accept(known, hb);
    return repository.find(id).compose(found -> {
      JsonObject s = found.orElseThrow(() -> Problem.notFound("No session " + id));
      if (s.getString("ended_at") != null) throw Problem.conflict("Session " + id + " has ended (" + s.getString("status") + ")");
      OpenSession os = open.computeIfAbsent(id, k -> OpenSession.of(s, clock.instant()));
      return accept(os, hb);
    });
  }

  private Future<JsonObject> accept(OpenSession os, SessionInput.Heartbeat hb) {
    Instant now = clock.instant();
    boolean ipChanged = hb.ipAddress() != null && !hb.ipAddress().equals(os.ipAddress);
    SessionInput.Heartbeat effective = ipChanged ? hb : withoutIp(hb);
    SessionRepository.Geo geo = ipChanged ? locator.apply(hb.ipAddress()) : null;
    buffer.add(os, effective, now, geo);
    if (hb.status() != null) os.status = hb.status();
    if (hb.bandwidthKbps() != null) os.bandwidthKbps = hb.bandwidthKbps();
    if (ipChanged) os.ipAddress = hb.ipAddress();
    os.lastSeen = now;
    node.metrics().heartbeatsAccepted.increment();
    node.metrics().pendingHeartbeats.set(buffer.size());
    if (ipChanged) {
      // the detector reads the database, so the new address is written before it judges
      UUID id = os.id;
      flushNow().onSuccess(v -> repository.find(id).onSuccess(s -> s.ifPresent(session ->
          bus.send(Addresses.DETECT_SESSION, new JsonObject().put("reason", "ip_changed").put("session", session)))));
    }
    return Future.succeededFuture(new JsonObject().put("status", 204));
  }

  private static SessionInput.Heartbeat withoutIp(SessionInput.Heartbeat hb) {
    if (hb.ipAddress() == null) return hb;
    return new SessionInput.Heartbeat(hb.status(), hb.positionSeconds(), hb.bandwidthKbps(), hb.bytesTransferred(),
        hb.transcoded(), hb.resolution(), null);
  }

  /** Serialised: one batch in flight at a time; a caller waits for everything buffered before its call. */
  Future<Void> flushNow() {
    flushChain = flushChain.transform(ignored -> flushBatch());
    return flushChain;
  }

  private Future<Void> flushBatch() {
    updates.due(System.nanoTime(), (id, row) -> publishUpdated(row));
    if (buffer.isEmpty()) return Future.succeededFuture();
    List<PendingHeartbeat> batch = buffer.take(MAX_FLUSH_BATCH);
    if (batch.isEmpty()) return Future.succeededFuture();
    flushing = true;
    long t0 = System.nanoTime();
    return repository.flush(batch).transform(ar -> {
      flushing = false;
      if (ar.failed()) {
        buffer.requeue(batch);
        node.metrics().pendingHeartbeats.set(buffer.size());
        return Future.failedFuture(ar.cause());
      }
      buffer.written();
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
        Row due = updates.offer(os.id, row, now);
        if (due != null) publishUpdated(due);
      }
      return buffer.isEmpty() ? Future.succeededFuture() : flushBatch();
    });
  }

  private void publishUpdated(Row row) {
    bus.publish(Addresses.SESSION_UPDATED, SessionRepository.toJson(row), SharedJson.OPTIONS);
  }

  // ---- end -----------------------------------------------------------------------------------------------

  private Future<JsonObject> end(JsonObject cmd) {
    UUID id = SessionInput.pathId("id", cmd.getString("id"));
    SessionInput.End e = SessionInput.end(cmd.getJsonObject("body"), clock.instant());
    OpenSession os = open.get(id);
    Future<Void> flushed = os != null && os.pending != null ? flushNow() : Future.succeededFuture();
    return flushed.compose(v -> repository.end(id, e.endedAt(), "client")).compose(ended -> {
      if (ended.isPresent()) {
        JsonObject session = ended.get();
        open.remove(id);
        updates.forget(id);
        node.metrics().sessionEnded("client");
        bus.publish(Addresses.SESSION_ENDED, session, SharedJson.OPTIONS);
        return Future.succeededFuture(new JsonObject().put("status", 204).put("session", session));
      }
      return repository.find(id).map(found -> {
        JsonObject s = found.orElseThrow(() -> Problem.notFound("No session " + id));
        if (s.getString("ended_at") != null) return new JsonObject().put("status", 204).put("session", s);
        throw Problem.validation("ended_at", "must not be before started_at (" + s.getString("started_at") + ")");
      });
    });
  }

  // ---- reaping and cache ----------------------------------------------------------------------------------

  private Future<?> reap() {
    return repository.reap(cfg.timeoutSeconds()).onSuccess(reaped -> {
      for (JsonObject session : reaped) {
        UUID id = UUID.fromString(session.getString("id"));
        open.remove(id);
        updates.forget(id);
        node.metrics().sessionEnded("timeout");
        bus.publish(Addresses.SESSION_ENDED, session, SharedJson.OPTIONS);
      }
      if (!reaped.isEmpty()) log.info("reaped {} silent session(s)", reaped.size());
    });
  }

  /** A session ended anywhere in the cluster: later heartbeats here get 409 (read from the database). */
  private void forget(JsonObject session) {
    UUID id = UUID.fromString(session.getString("id"));
    OpenSession os = open.remove(id);
    updates.forget(id);
    if (os != null && os.pending != null) buffer.forget(id);
  }

  private void pruneCache() {
    Instant cutoff = clock.instant().minusSeconds(2L * cfg.timeoutSeconds());
    open.values().removeIf(os -> os.pending == null && os.lastSeen.isBefore(cutoff));
  }
}
