package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.bus.EventPacer;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Coalesces {@code session.updated} per session to at most one per interval with the registry's own
 * {@link EventPacer}: the first update goes out at once, later ones within the interval replace
 * each other and the latest goes out when it ends (checked every 100 ms). Every socket of the hub
 * sees the same stream, so this bounds each socket's rate too. Registries already publish at most
 * one update per second per session, but a client whose heartbeats hit two nodes reaches two
 * registries. State is one entry per recently updated session, removed an interval after it goes
 * quiet.
 *
 * <p>On top of that, at most {@code maxPerSecond} updates leave per second (in slices of 100 ms):
 * each one becomes a frame for every dashboard of the hub, and with thousands of sessions and a
 * thousand dashboards the fan-out alone took the event loops from the heartbeats (bench/run
 * scenario 7). Over the budget the newest state of each session waits in arrival order of its first
 * waiting update, so every session still gets its latest state out, only later; at most {@code
 * live.updated_waiting_max} wait (the session JSON as published, shared with the other hubs of the
 * node): past that the oldest waiting update is dropped (counted), its session's next heartbeat
 * brings a newer one. Nothing is encoded until it leaves: most updates are superseded first.
 */
public final class UpdateThrottle {

  private static final long SLICE_MS = 100;
  private final int maxWaiting;

  private final Vertx vertx;
  private final Consumer<JsonObject> emit;
  private final Runnable onDropped;

  /** one update per session per interval, the same pacer the registry uses */
  private final EventPacer<String, JsonObject> pacer;

  /** over the budget: the newest state per session, oldest waiting first */
  private final LinkedHashMap<String, JsonObject> waiting = new LinkedHashMap<>();

  /**
   * over the budget, updates whose session changed status (the registry marks them): they leave
   * before every waiting ordinary one
   */
  private final LinkedHashMap<String, JsonObject> urgent = new LinkedHashMap<>();

  private final int perSlice;
  private int leftInSlice;
  private long tickTimer = -1;

  public UpdateThrottle(
      Vertx vertx,
      long intervalMs,
      int maxPerSecond,
      int maxWaiting,
      Consumer<JsonObject> emit,
      Runnable onDropped) {
    this.vertx = vertx;
    this.emit = emit;
    this.maxWaiting = Math.max(1, maxWaiting);
    this.onDropped = onDropped;
    this.pacer = new EventPacer<>(TimeUnit.MILLISECONDS.toNanos(intervalMs));
    this.perSlice =
        maxPerSecond <= 0 ? Integer.MAX_VALUE : Math.max(1, (int) (maxPerSecond * SLICE_MS / 1000));
    this.leftInSlice = perSlice;
  }

  /** An update of a session (its JSON as published; one without an id is not coalesced). */
  public void offer(JsonObject session) {
    String id = session.getValue("id") instanceof String s ? s : null;
    if (id == null) {
      emit.accept(session);
      return;
    }
    JsonObject now = pacer.offer(id, session, System.nanoTime());
    if (now != null) release(id, now);
    if (tickTimer == -1 && (pacer.tracked() > 0 || !waiting.isEmpty())) {
      tickTimer = vertx.setPeriodic(SLICE_MS, t -> tick());
    }
  }

  /**
   * An update whose session changed status (paused, resumed, buffering): not held by the
   * per-session interval, and over the budget it goes before every waiting ordinary update. A
   * dashboard shows a pause at once even while thousands of position-only updates wait their turn.
   */
  public void offerUrgent(JsonObject session) {
    String id = session.getValue("id") instanceof String s ? s : null;
    if (id == null) {
      emit.accept(session);
      return;
    }
    pacer.forget(id);
    waiting.remove(id);
    if (leftInSlice > 0 && urgent.isEmpty()) {
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(session);
      return;
    }
    if (!urgent.containsKey(id) && urgent.size() >= maxWaiting) {
      var eldest = urgent.keySet().iterator();
      eldest.next();
      eldest.remove();
      onDropped.run();
    }
    urgent.put(id, session);
    if (tickTimer == -1) tickTimer = vertx.setPeriodic(SLICE_MS, t -> tick());
  }

  /**
   * Emits now if the slice has budget left, else the session's newest state waits for a later
   * slice.
   */
  private void release(String id, JsonObject session) {
    if (urgent.containsKey(id)) {
      urgent.put(id, session);
      return;
    }
    if (waiting.containsKey(id)) {
      waiting.put(id, session);
      return;
    }
    if (leftInSlice > 0 && urgent.isEmpty()) {
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(session);
      return;
    }
    if (waiting.size() >= maxWaiting) {
      var eldest = waiting.keySet().iterator();
      eldest.next();
      eldest.remove();
      onDropped.run();
    }
    waiting.put(id, session);
  }

  private void tick() {
    leftInSlice = perSlice;
    var u = urgent.values().iterator();
    while (leftInSlice > 0 && u.hasNext()) {
      JsonObject next = u.next();
      u.remove();
      if (perSlice != Integer.MAX_VALUE) leftInSlice--;
      emit.accept(next);
    }
    var it = waiting.values().iterator();
    while (leftInSlice > 0 && it.hasNext()) {
      JsonObject next = it.next();
      it.remove();
      leftInSlice--;
      emit.accept(next);
    }
    pacer.due(System.nanoTime(), this::release);
    if (pacer.tracked() == 0 && waiting.isEmpty() && urgent.isEmpty()) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
  }

  int waiting() {
    return waiting.size() + urgent.size();
  }

  /** The session ended: an update still held back must not follow its end frame. */
  public void forget(String sessionId) {
    if (sessionId == null) return;
    waiting.remove(sessionId);
    urgent.remove(sessionId);
    pacer.forget(sessionId);
  }

  public void clear() {
    pacer.clear();
    waiting.clear();
    urgent.clear();
    if (tickTimer != -1) vertx.cancelTimer(tickTimer);
    tickTimer = -1;
  }

  int tracked() {
    return pacer.tracked();
  }
}
