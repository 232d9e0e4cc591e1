package io.tracearr.analytics.gateway.live;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Coalesces {@code session.updated} per session to at most one per interval: the first update goes out at
 * once, later ones within the interval replace each other and the latest goes out when it ends. Every
 * socket of the hub sees the same stream, so this bounds each socket's rate too. Registries already publish
 * at most one update per second per session, but a client whose heartbeats hit two nodes reaches two
 * registries. State is one entry per recently updated session, removed an interval after it goes quiet.
 */
public final class UpdateThrottle {

  private static final class Entry {
    JsonObject pending;
    long timer;
  }

  private final Vertx vertx;
  private final long intervalMs;
  private final Consumer<JsonObject> emit;
  private final Map<String, Entry> bySession = new HashMap<>();

  public UpdateThrottle(Vertx vertx, long intervalMs, Consumer<JsonObject> emit) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
    this.emit = emit;
  }

  public void offer(JsonObject session) {
    String id = session.getValue("id") instanceof String s ? s : null;
    if (intervalMs <= 0 || id == null) {
      emit.accept(session);
      return;
    }
    Entry e = bySession.get(id);
    if (e != null) {
      e.pending = session;
      return;
    }
    emit.accept(session);
    e = new Entry();
    bySession.put(id, e);
    arm(id, e);
  }

  /** The session ended: an update still held back must not follow its end frame. */
  public void forget(String sessionId) {
    Entry e = sessionId == null ? null : bySession.remove(sessionId);
    if (e != null) vertx.cancelTimer(e.timer);
  }

  public void clear() {
    for (Entry e : bySession.values()) vertx.cancelTimer(e.timer);
    bySession.clear();
  }

  int tracked() {
    return bySession.size();
  }

  private void arm(String id, Entry e) {
    e.timer = vertx.setTimer(intervalMs, t -> {
      if (bySession.get(id) != e) return;
      if (e.pending == null) {
        bySession.remove(id);
        return;
      }
      JsonObject latest = e.pending;
      e.pending = null;
      emit.accept(latest);
      arm(id, e);
    });
  }
}
