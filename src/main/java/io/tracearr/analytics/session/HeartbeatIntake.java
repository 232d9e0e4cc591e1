package io.tracearr.analytics.session;

import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.time.Clock;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The heartbeat door's short cut to the registry of its node (issue 18): a heartbeat of a session
 * the registry has told this intake is open, carrying no new IP address, is answered 204 by the
 * gateway's own event loop and queued here; the registry moves the queue into its {@link
 * HeartbeatBuffer} on its own event loop (every flush tick, and before every flush), so the
 * registry stays the only writer of playback_sessions and the only owner of its {@link OpenSession}
 * entries. The request/reply hop over the local bus to the registry's event loop and back was the
 * heartbeat path's largest cost the bare route does not pay (docs/benchmarks.md, "Issue 18").
 *
 * <p>Everything else takes the command path as before ({@code sessions.heartbeat}): sessions the
 * registry has not seen open (404/409 need a read), an IP change (written first, then judged by the
 * detector), and a full intake (the registry answers 503 when its buffer is full).
 *
 * <p>Bounds: at most {@code max} heartbeats queued here plus sessions waiting in the registry's
 * buffer (the registry reports that figure after each drain and flush); past it the command path
 * decides. A queued heartbeat was acknowledged, so the registry buffers it even past its own bound:
 * the buffer can hold at most {@code max} more sessions than {@code sessions.heartbeat_buffer_max}.
 * A heartbeat queued while its session ends (the end removes the session from here first, then
 * flushes) is dropped and counted in {@code analytics_heartbeats_dropped_total}: it raced the end.
 */
public final class HeartbeatIntake implements Shareable {

  private static final String MAP = "io.tracearr.analytics.session.HeartbeatIntake";
  private static final String KEY = "intake";
  private static final String NO_IP = "";

  /** One acknowledged heartbeat, stamped with the registry's clock when it was received. */
  record Queued(UUID sessionId, SessionInput.Heartbeat heartbeat, Instant at) {}

  /** open sessions the registry knows, by id → their IP address ("" if none) */
  private final ConcurrentHashMap<UUID, String> open = new ConcurrentHashMap<>();

  private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger queued = new AtomicInteger();
  private final int max;
  private final Clock clock;
  private volatile int registryWaiting;

  HeartbeatIntake(int max, Clock clock) {
    this.max = max;
    this.clock = clock;
  }

  /** The intake of this Vert.x instance's registry, or null when none is deployed. */
  public static HeartbeatIntake of(Vertx vertx) {
    LocalMap<String, HeartbeatIntake> map = vertx.sharedData().getLocalMap(MAP);
    return map.get(KEY);
  }

  void register(Vertx vertx) {
    vertx.sharedData().<String, HeartbeatIntake>getLocalMap(MAP).put(KEY, this);
  }

  void unregister(Vertx vertx) {
    vertx.sharedData().<String, HeartbeatIntake>getLocalMap(MAP).remove(KEY, this);
  }

  /**
   * Any thread. True when the heartbeat was taken (answer 204); false when the caller must send the
   * {@code sessions.heartbeat} command instead.
   */
  public boolean offer(UUID sessionId, SessionInput.Heartbeat hb) {
    String ip = open.get(sessionId);
    if (ip == null) return false;
    if (hb.ipAddress() != null && !hb.ipAddress().equals(ip)) return false;
    if (queued.get() + registryWaiting >= max) return false;
    queued.incrementAndGet();
    queue.add(new Queued(sessionId, hb, clock.instant()));
    return true;
  }

  // ---- the registry's side (its event loop only)

  void known(UUID sessionId, String ipAddress) {
    open.put(sessionId, ipAddress == null ? NO_IP : ipAddress);
  }

  void forget(UUID sessionId) {
    open.remove(sessionId);
  }

  Queued poll() {
    Queued q = queue.poll();
    if (q != null) queued.decrementAndGet();
    return q;
  }

  /** heartbeats queued here, not yet drained by the registry */
  int queuedCount() {
    return queued.get();
  }

  void registryWaiting(int sessions) {
    registryWaiting = sessions;
  }

  int queued() {
    return queued.get();
  }
}
