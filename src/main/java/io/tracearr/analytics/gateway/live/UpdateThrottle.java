package io.tracearr.analytics.gateway.live;

import io.tracearr.analytics.bus.EventPacer;
import io.tracearr.analytics.bus.RateBudget;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * <p>On top of that, at most {@code maxPerSecond} updates leave per second (in slices of 100 ms,
 * the registry's {@link RateBudget}): each one becomes a frame for every dashboard of the hub, and
 * with thousands of sessions and a thousand dashboards the fan-out alone took the event loops from
 * the heartbeats (bench/run scenario 7). Over the budget the newest state of each session waits in
 * arrival order of its first waiting update, so every session still gets its latest state out, only
 * later; at most {@code live.updated_waiting_max} wait (the session JSON as published, shared with
 * the other hubs of the node): past that the oldest waiting update is dropped (counted), its
 * session's next heartbeat brings a newer one. Nothing is encoded until it leaves: most updates are
 * superseded first.
 */
public final class UpdateThrottle {

  private static final long SLICE_MS = 100;

  private final Vertx vertx;
  private final Consumer<JsonObject> emit;

  /** one update per session per interval, the same pacer the registry uses */
  private final EventPacer<String, JsonObject> pacer;

  /**
   * then at most {@code maxPerSecond}, the registry's own budget: over it the newest state per
   * session waits, oldest waiting first, and an update whose session changed status (the registry
   * marks them) before every waiting ordinary one
   */
  private final RateBudget<String, JsonObject> budget;

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
    this.pacer = new EventPacer<>(TimeUnit.MILLISECONDS.toNanos(intervalMs));
    this.budget =
        new RateBudget<>(
            maxPerSecond, maxWaiting, (id, session) -> emit.accept(session), onDropped);
  }

  /** An update of a session (its JSON as published; one without an id is not coalesced). */
  public void offer(JsonObject session) {
    String id = session.getValue("id") instanceof String s ? s : null;
    if (id == null) {
      emit.accept(session);
      return;
    }
    JsonObject now = pacer.offer(id, session, System.nanoTime());
    if (now != null) budget.offer(id, now);
    if (tickTimer == -1 && (pacer.tracked() > 0 || budget.waiting() > 0)) {
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
    budget.offerUrgent(id, session);
    if (tickTimer == -1 && budget.waiting() > 0) {
      tickTimer = vertx.setPeriodic(SLICE_MS, t -> tick());
    }
  }

  private void tick() {
    budget.tick();
    pacer.due(System.nanoTime(), budget::offer);
    if (pacer.tracked() == 0 && budget.waiting() == 0) {
      vertx.cancelTimer(tickTimer);
      tickTimer = -1;
    }
  }

  int waiting() {
    return budget.waiting();
  }

  /** The session ended: an update still held back must not follow its end frame. */
  public void forget(String sessionId) {
    if (sessionId == null) return;
    budget.forget(sessionId);
    pacer.forget(sessionId);
  }

  public void clear() {
    pacer.clear();
    budget.clear();
    if (tickTimer != -1) vertx.cancelTimer(tickTimer);
    tickTimer = -1;
  }

  int tracked() {
    return pacer.tracked();
  }
}
